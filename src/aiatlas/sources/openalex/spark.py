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
    "coalesce(array_sort(array_distinct(filter(flatten(transform(authorships, a -> concat("
    "coalesce(transform(a.institutions, i -> i.country_code), cast(array() as array<string>)), "
    "coalesce(a.countries, cast(array() as array<string>))))), c -> c IS NOT NULL AND c <> ''))), "
    "cast(array() as array<string>)) AS country_codes",
    f"array_max(transform(filter(topics, t -> t.subfield.id = '{AI_SUBFIELD_ID}'), "
    "t -> t.score)) AS ai_topic_score",
    f"array_max(transform(filter(concepts, c -> c.id = '{AI_CONCEPT_ID}'), "
    "c -> c.score)) AS ai_concept_score",
    "cited_by_count",
    "coalesce(counts_by_year, cast(array() as array<struct<year: int, cited_by_count: bigint>>)) "
    "AS counts_by_year",
)


def session(master: str | None = None):
    """A Spark session: `master` (e.g. spark://host:7077), $AIATLAS_SPARK_MASTER, or local[2]."""
    from pyspark.sql import SparkSession

    master = master or os.environ.get("AIATLAS_SPARK_MASTER") or "local[2]"
    builder = SparkSession.builder.master(master).appName("aiatlas-openalex")
    if master.startswith("local"):
        # bind to loopback: on hosts whose name resolves oddly, Spark otherwise stalls on it
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    builder = (builder
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", os.environ.get("AIATLAS_SPARK_PARTITIONS", "8"))
               .config("spark.driver.memory", os.environ.get("AIATLAS_SPARK_DRIVER_MEMORY", "2g")))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def ibis_connection(master: str | None = None):
    """An Ibis PySpark backend on the session, for the indicators."""
    import ibis

    return ibis.pyspark.connect(session(master))


def ingest_part(spark, path: Path, part: Part, out: Path) -> dict:
    """Parse one part with Spark and move its per-year files into `out` under final names."""
    from pyspark.sql import functions as F

    tmp = out.parent / ".spark-tmp" / output_name(part.name).removesuffix(".parquet")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        raw = spark.read.schema(RAW_DDL).option("mode", "FAILFAST").json(str(path))
        works = raw.selectExpr(*PROJECTION)
        kept = works.filter(F.col("publication_year").isNotNull() & F.col("id").isNotNull())
        kept.write.partitionBy("publication_year").parquet(str(tmp))
        rows = spark.read.text(str(path)).filter(F.length("value") > 0).count()
    except Exception as e:  # Spark wraps parse errors in Py4J / analysis exceptions
        shutil.rmtree(tmp, ignore_errors=True)
        if "Malformed" in str(e) or "FAILFAST" in str(e):
            raise DataError(f"{part.name}: not valid OpenAlex JSON Lines "
                            f"({str(e).strip().splitlines()[0][:200]})") from None
        raise
    written = spark.read.parquet(str(tmp)) if any(tmp.glob("publication_year=*")) else None
    n_written = written.count() if written is not None else 0
    synthetic = (written.filter(F.col("id").startswith(SYNTHETIC_ID_PREFIX)).count()
                 if written is not None else 0)
    if part.records is not None and rows != part.records:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DataError(f"{part.name}: {rows} works read but the manifest says {part.records} "
                        "(truncated or changed part)", hint="download the part again")
    outputs = []
    name = output_name(part.name)
    for folder in sorted(tmp.glob("publication_year=*")):
        target = out / folder.name
        target.mkdir(parents=True, exist_ok=True)
        for k, f in enumerate(sorted(folder.glob("*.parquet"))):
            final = name if k == 0 else name.replace(".parquet", f"-{k}.parquet")
            os.replace(f, target / final)
            outputs.append(f"{folder.name}/{final}")
    shutil.rmtree(tmp, ignore_errors=True)
    return {"rows": rows, "rows_without_year_or_id": rows - n_written,
            "synthetic_rows": synthetic, "outputs": sorted(outputs)}
