"""Ingested datasets in the warehouse: views over a snapshot's Parquet files, read in place.

A dataset too big to copy into the warehouse file (the OpenAlex works) is a snapshot of
Parquet files like any other source's snapshot is of CSV files. The build records the files in
`_snapshots` and creates a view over them in the file; the paths are relative to the data
home's snapshots folder, which every connection sets as DuckDB's `file_search_path`, so the
home can be moved or copied whole.
"""
from __future__ import annotations

from pathlib import Path

from aiatlas.config import Settings
from aiatlas.warehouse.column import Column

# View contracts: the columns each ingested dataset's Parquet files hold (the ingest's schema,
# checked against this by a test), with the partition column taken from the folder names.
VIEWS: dict[str, tuple[Column, ...]] = {
    "openalex_works": (
        Column("id", "VARCHAR", "", "OpenAlex work id (https://openalex.org/W...)"),
        Column("type", "VARCHAR", "", "Work type as OpenAlex gives it (article, preprint, ...)"),
        Column("country_codes", "VARCHAR[]", "ISO 3166-1 alpha-2", "Distinct countries of the "
           "authors' institutions and of the authors, as OpenAlex writes them (sorted)"),
        Column("ai_topic_score", "DOUBLE", "0-1", "Best score among the work's topics in subfield "
           "1702 'Artificial Intelligence'; NULL when it has none"),
        Column("ai_concept_score", "DOUBLE", "0-1", "Score of the legacy concept C154945302 "
           "'Artificial intelligence'; NULL when it has none"),
        Column("cited_by_count", "BIGINT", "citations", "Citations received, all years"),
        Column("counts_by_year", 'STRUCT("year" INTEGER, cited_by_count BIGINT)[]', "citations",
           "Citations received per citing year (OpenAlex keeps the last ten)"),
        Column("publication_year", "BIGINT", "", "Publication year (the partition folder)"),
    ),
}


def views_of(settings: Settings, sources, snaps: dict) -> dict[str, list[str]]:
    """View name -> its Parquet files, relative to the snapshots folder, for each ingested
    dataset with a snapshot in this build."""
    return {src.tables[0]: [str(snap.path.relative_to(settings.snapshots_dir) / f["name"])
                            for f in snap.manifest["files"]]
            for src in sources if src.ingest and (snap := snaps[src.id]) and snap.manifest["files"]}


def view_sql(name: str, files: list[str]) -> str:
    """The view over a dataset's Parquet files (partition columns from their folder names)."""
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return (f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{listed}], '
            "hive_partitioning = true)")


def search_path_sql(snapshots_dir: Path) -> str:
    """The setting a connection needs to read the views: relative paths resolve against it."""
    return "SET file_search_path = '" + str(snapshots_dir).replace("'", "''") + "'"
