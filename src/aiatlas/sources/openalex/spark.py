"""The OpenAlex ingest on Spark: the same fields and Parquet layout as the DuckDB path, at scale.

`spark.read.json` parses each part with the same explicit schema, one Spark SQL projection
(the twin of `ingest.PROJECTION`) reduces it, and `partitionBy("publication_year")` writes it to
a temporary folder whose files are then renamed into `<home>/openalex/works/`, so the ledger
and resume rules are those of the DuckDB path. Indicators run on the result through Ibis's
PySpark backend (`ibis_connection`).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from aiatlas.errors import DataError
from aiatlas.sources.openalex import AI_CONCEPT_ID, AI_SUBFIELD_ID, SYNTHETIC_ID_PREFIX
from aiatlas.sources.openalex.ingest import Part, output_name

RAW_DDL = ("id STRING, publication_year INT, type STRING, "
           "authorships ARRAY<STRUCT<institutions: ARRAY<STRUCT<country_code: STRING>>, "
           "countries: ARRAY<STRING>>>, "
           "topics ARRAY<STRUCT<score: DOUBLE, subfield: STRUCT<id: STRING>>>, "
           "concepts ARRAY<STRUCT<id: STRING, score: DOUBLE>>, cited_by_count BIGINT, "
           "counts_by_year ARRAY<STRUCT<year: INT, cited_by_count: BIGINT>>")
PROJECTION = (
    "id", "publication_year", "type",
    ("coalesce(array_sort(array_distinct(filter(flatten(transform(authorships, a -> concat("
     "coalesce(transform(a.institutions, i -> i.country_code), cast(array() as array<string>)), "
     "coalesce(a.countries, cast(array() as array<string>))))), c -> c IS NOT NULL AND c <> ''))), "
     "cast(array() as array<string>)) AS country_codes"),
    (f"array_max(transform(filter(topics, t -> t.subfield.id = '{AI_SUBFIELD_ID}'), "
     "t -> t.score)) AS ai_topic_score"),
    (f"array_max(transform(filter(concepts, c -> c.id = '{AI_CONCEPT_ID}'), "
     "c -> c.score)) AS ai_concept_score"),
    "cited_by_count",
    ("coalesce(counts_by_year, cast(array() as array<struct<year: int, cited_by_count: bigint>>)) "
     "AS counts_by_year"),
)


def ibis_connection(master: str | None = None):
    """An Ibis PySpark backend on the session, for the indicators."""
    import ibis

    from aiatlas.spark import session

    return ibis.pyspark.connect(session(master))


def _key(path: str) -> str:
    """The last two components of a path or file URI: unique among one group's parts."""
    from urllib.parse import unquote

    return "/".join(unquote(path).rstrip("/").split("/")[-2:])


def ingest_parts(spark, group: list[tuple[Path, Part]], out: Path) -> dict[str, dict]:
    """Parse a group of parts in one Spark job (one task per gzip part) and move each part's
    per-year files into `out` under the same final names as the DuckDB path."""
    from pyspark.sql import functions as F

    keys = {_key(str(path)): i for i, (path, _) in enumerate(group)}
    tmp = out.parent / ".spark-tmp" / output_name(group[0][1].name).removesuffix(".parquet")
    shutil.rmtree(tmp, ignore_errors=True)
    index = F.lit(None)
    file_key = F.regexp_extract(F.input_file_name(), r"([^/]+/[^/]+)$", 1)
    for k, i in keys.items():
        index = F.when(file_key == F.lit(k.replace("=", "%3D")) , i).when(file_key == F.lit(k), i) \
            .otherwise(index)
    paths = [str(path) for path, _ in group]
    try:
        raw = spark.read.schema(RAW_DDL).option("mode", "FAILFAST").json(paths)
        works = raw.selectExpr(*PROJECTION).withColumn("_part", index)
        kept = works.filter(F.col("publication_year").isNotNull() & F.col("id").isNotNull())
        kept.write.partitionBy("_part", "publication_year").parquet(str(tmp))
        lines = (spark.read.text(paths).filter(F.length("value") > 0)
                 .groupBy(index.alias("_part")).count().collect())
    except Exception as e:  # Spark wraps parse errors in Py4J / analysis exceptions
        shutil.rmtree(tmp, ignore_errors=True)
        if "Malformed" in str(e) or "FAILFAST" in str(e):
            names = ", ".join(p.name for _, p in group)
            raise DataError(f"{names}: not valid OpenAlex JSON Lines "
                            f"({str(e).strip().splitlines()[0][:200]})") from None
        raise
    rows = {r["_part"]: r["count"] for r in lines}
    written = {i: (0, 0) for i in range(len(group))}
    if any(tmp.glob("_part=*")):
        stats = (spark.read.parquet(str(tmp)).groupBy("_part")
                 .agg(F.count("*").alias("n"),
                      F.sum(F.col("id").startswith(SYNTHETIC_ID_PREFIX).cast("int")).alias("s"))
                 .collect())
        written |= {r["_part"]: (r["n"], r["s"] or 0) for r in stats}
    results = {}
    for i, (_, part) in enumerate(group):
        n = rows.get(i, 0)
        if part.records is not None and n != part.records:
            shutil.rmtree(tmp, ignore_errors=True)
            raise DataError(f"{part.name}: {n} works read but the manifest says {part.records} "
                            "(truncated or changed part)", hint="download the part again")
        results[part.name] = {"rows": n, "rows_without_year_or_id": n - written[i][0],
                              "synthetic_rows": written[i][1], "outputs": []}
    for i, (_, part) in enumerate(group):
        name = output_name(part.name)
        for folder in sorted((tmp / f"_part={i}").glob("publication_year=*")):
            target = out / folder.name
            target.mkdir(parents=True, exist_ok=True)
            for k, f in enumerate(sorted(folder.glob("*.parquet"))):
                final = name if k == 0 else name.replace(".parquet", f"-{k}.parquet")
                os.replace(f, target / final)
                results[part.name]["outputs"].append(f"{folder.name}/{final}")
        results[part.name]["outputs"].sort()
    shutil.rmtree(tmp, ignore_errors=True)
    return results
