"""Parse gzipped OpenAlex JSON Lines parts into per-year Parquet files, as a stream.

Each part is decompressed and parsed by DuckDB read_json (only the needed nested fields),
reduced by one projection (country codes, AI scores), handed over as Arrow record batches of
`batch_rows` rows, buffered per year and written with pyarrow under temporary names that are
renamed when the part is complete. The same code runs on the driver (DuckDB engine) and on
Spark executors, so both engines write the same rows.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from aiatlas.errors import DataError
from aiatlas.sources.openalex import AI_CONCEPT_ID, AI_SUBFIELD_ID, SYNTHETIC_ID_PREFIX
from aiatlas.sources.openalex.snapshot import Part, file_entry, list_parts

# Only these fields of a Work are parsed; every other key of a line is skipped by read_json.
RAW_COLUMNS_DUCKDB = {
    "id": "VARCHAR", "publication_year": "INTEGER", "type": "VARCHAR",
    "authorships": "STRUCT(institutions STRUCT(country_code VARCHAR)[], countries VARCHAR[])[]",
    "topics": "STRUCT(score DOUBLE, subfield STRUCT(id VARCHAR))[]",
    "concepts": "STRUCT(id VARCHAR, score DOUBLE)[]",
    "cited_by_count": "BIGINT",
    "counts_by_year": "STRUCT(\"year\" INTEGER, cited_by_count BIGINT)[]",
}
# One row per work: the distinct authorship country codes (institutions' and authors' countries),
# the best score under each AI definition (NULL when the work has none), citations.
PROJECTION = f"""
  id, publication_year, type,
  coalesce(list_sort(list_distinct(list_filter(flatten(list_transform(authorships,
      lambda a: list_concat(coalesce(list_transform(a.institutions, lambda i: i.country_code), []),
                            coalesce(a.countries, [])))), lambda c: c IS NOT NULL AND c <> ''))),
      []::VARCHAR[]) AS country_codes,
  list_max(list_transform(list_filter(topics, lambda t: t.subfield.id = '{AI_SUBFIELD_ID}'),
      lambda t: t.score)) AS ai_topic_score,
  list_max(list_transform(list_filter(concepts, lambda c: c.id = '{AI_CONCEPT_ID}'),
      lambda c: c.score)) AS ai_concept_score,
  cited_by_count,
  coalesce(counts_by_year, []) AS counts_by_year
"""
OUTPUT_SCHEMA = pa.schema([
    ("id", pa.string()), ("type", pa.string()), ("country_codes", pa.list_(pa.string())),
    ("ai_topic_score", pa.float64()), ("ai_concept_score", pa.float64()),
    ("cited_by_count", pa.int64()),
    ("counts_by_year", pa.list_(pa.struct([("year", pa.int32()), ("cited_by_count", pa.int64())]))),
])


def output_name(part_name: str) -> str:
    """Deterministic file name for a part's rows inside each year folder (reruns overwrite)."""
    date, _, file = part_name.partition("/")
    return f"part-{date.removeprefix('updated_date=')}-{file.removesuffix('.gz')}.parquet"


class _YearWriters:
    """One Parquet writer per publication year, fed from per-year buffers of at most N rows."""

    def __init__(self, out: Path, file_name: str, batch_rows: int):
        self.out, self.file_name, self.batch_rows = out, file_name, batch_rows
        self.buffers: dict[int, list[pa.Table]] = {}
        self.counts: dict[int, int] = {}
        self.written: dict[int, int] = {}  # rows written per year, for the manifest
        self.writers: dict[int, pq.ParquetWriter] = {}
        self.temps: dict[int, Path] = {}

    def add(self, table: pa.Table) -> None:
        """Buffer rows already sorted by publication_year, one slice per year."""
        for year, rows in _runs(table, "publication_year"):
            self.buffers.setdefault(year, []).append(rows.drop_columns(["publication_year"]))
            self.counts[year] = self.counts.get(year, 0) + rows.num_rows
            if self.counts[year] >= self.batch_rows:
                self._flush(year)
        # bound the total buffered rows too, whatever the spread over years
        if sum(self.counts.values()) >= 4 * self.batch_rows:
            for year in list(self.buffers):
                self._flush(year)

    def _flush(self, year: int) -> None:
        if not self.counts.get(year):
            return
        if year not in self.writers:
            folder = self.out / f"publication_year={year}"
            folder.mkdir(parents=True, exist_ok=True)
            self.temps[year] = folder / f".{self.file_name}.tmp"
            self.writers[year] = pq.ParquetWriter(self.temps[year], OUTPUT_SCHEMA,
                                                  compression="zstd")
        self.writers[year].write_table(pa.concat_tables(self.buffers.pop(year)).cast(OUTPUT_SCHEMA))
        self.written[year] = self.written.get(year, 0) + self.counts[year]
        self.counts[year] = 0

    def commit(self) -> dict[str, dict]:
        """Flush, close and rename every temporary file to its final name; {file: its manifest
        entry (rows, bytes, sha256)}."""
        for year in list(self.buffers):
            self._flush(year)
        finals = {}
        for year, writer in self.writers.items():
            writer.close()
            final = self.temps[year].with_name(self.file_name)
            os.replace(self.temps[year], final)
            finals[str(final.relative_to(self.out))] = file_entry(final, self.written[year])
        self.writers, self.temps = {}, {}
        return dict(sorted(finals.items()))

    def abort(self) -> None:
        """Close and delete unfinished temporary files (nothing once committed)."""
        for year, writer in self.writers.items():
            writer.close()
            self.temps[year].unlink(missing_ok=True)


def _runs(table: pa.Table, column: str):
    """(value, slice) for each run of equal values of `column` in a table sorted by it."""
    if table.num_rows == 0:
        return
    ree = pc.run_end_encode(table[column].combine_chunks())
    start = 0
    for value, end in zip(ree.values.to_pylist(), ree.run_ends.to_pylist()):
        yield value, table.slice(start, end - start)
        start = end


def _read_json_sql(files: list[str], *, filename: bool = False) -> str:
    """DuckDB read_json of gzipped JSON Lines, parsing only RAW_COLUMNS, projected per work."""
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in RAW_COLUMNS_DUCKDB.items()) + "}"
    names = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    return (f"SELECT {'filename, ' if filename else ''}{PROJECTION} FROM read_json({names}, "
            f"columns={cols}, format='newline_delimited', compression='gzip', "
            f"maximum_object_size=67108864{', filename=true' if filename else ''})")


def ingest_parts(group: list[tuple[Path, Part]], out: Path, *, batch_rows: int,
                 memory_limit: str = "1GB", scratch: Path | None = None) -> dict[str, dict]:
    """Stream a few gzipped JSON Lines parts into per-year Parquet files, one set per part.

    DuckDB's read_json parses the parts as streams, one thread per part (a gzip stream cannot
    be split), measured ~2x faster than Arrow's JSON reader on OpenAlex-shaped lines. Its
    result arrives as Arrow record batches of `batch_rows` rows, which pyarrow writes per part
    and year. Memory is bounded by DuckDB's `memory_limit` plus a few batches per part.
    """
    by_file = {str(path): part for path, part in group}
    writers = {f: _YearWriters(out, output_name(p.name), batch_rows) for f, p in by_file.items()}
    counts = {f: {"rows": 0, "rows_without_year_or_id": 0, "synthetic_rows": 0} for f in by_file}
    # spill files (if DuckDB ever needs them) go to this task's scratch, never into the cwd
    # or a folder that tasks on other nodes share
    spill = scratch or out.parent / ".duckdb-tmp"
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False,
                                 "temp_directory": str(spill)})
    con.execute("SET enable_progress_bar = false")
    try:
        reader = con.sql(_read_json_sql(list(by_file), filename=True)).to_arrow_reader(batch_rows)
        for batch in reader:
            # one sort, then contiguous slices per (part, year): cheaper than a filter each
            table = pa.Table.from_batches([batch]).sort_by([("filename", "ascending"),
                                                           ("publication_year", "ascending")])
            for f, rows in _runs(table, "filename"):
                rows = rows.drop_columns(["filename"])
                c = counts[f]
                c["rows"] += rows.num_rows
                c["synthetic_rows"] += pc.sum(pc.starts_with(rows["id"], SYNTHETIC_ID_PREFIX)).as_py() or 0
                keep = pc.and_(pc.is_valid(rows["publication_year"]), pc.is_valid(rows["id"]))
                c["rows_without_year_or_id"] += rows.num_rows - (pc.sum(keep).as_py() or 0)
                writers[f].add(rows.filter(keep))
        for f, part in by_file.items():
            if part.records is not None and counts[f]["rows"] != part.records:
                raise DataError(f"{part.name}: {counts[f]['rows']} works read but the manifest "
                                f"says {part.records} (truncated or changed part)",
                                hint="download the part again")
        return {by_file[f].name: counts[f] | {"files": w.commit()} for f, w in writers.items()}
    except (duckdb.InvalidInputException, duckdb.ConversionException) as e:
        first = str(e).strip().splitlines()[0]
        names = ", ".join(p.name for p in by_file.values())
        raise DataError(f"{names}: not valid OpenAlex JSON Lines ({first})",
                        hint="each line must be one Work object as the OpenAlex docs give it") from None
    finally:
        for w in writers.values():
            w.abort()
        con.close()


def floor_duckdb_read_json(snapshot: str, out: str | Path, *, memory_limit: str | None = None) -> int:
    """The benchmark floor: DuckDB read_json of the same parts and fields, COPY to the same layout."""
    parts = [p.location for p in list_parts(snapshot)]
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"temp_directory": str(out.parent / ".duckdb-tmp")})
    if memory_limit:
        con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute("SET preserve_insertion_order=false")
    con.execute(f"""COPY ({_read_json_sql(parts)} WHERE publication_year IS NOT NULL AND id IS NOT NULL)
                    TO '{out}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (publication_year))""")
    n = con.execute(f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet')").fetchone()[0]
    con.close()
    return n
