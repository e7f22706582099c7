"""OpenAlex (CC0): scholarly works, for AI publications and citations by country.

Two sources, both snapshots with manifests like every other: aggregates over the REST API
(`api.py`, small, fetched by `aiatlas fetch`) and the bulk works snapshot (`ingest.py` /
`spark.py`, for scale), streamed into Parquet files that are themselves the snapshot
`<home>/snapshots/openalex_works/<stamp>/` and that the warehouse reads as the view
`openalex_works`. Which works count as AI is the declared `AI_DEFINITIONS` below, never a
hidden constant.
"""
from __future__ import annotations

from dataclasses import dataclass

import pycountry

from aiatlas.errors import UsageError
from aiatlas.sources.base import Rejects, Source

PUBLISHER = "OurResearch (OpenAlex)"
LICENCE = "CC0 1.0"
CITATION = ("Priem, J., Piwowar, H., & Orr, R. (2022). OpenAlex: A fully-open index of scholarly "
            "works, authors, venues, institutions, and concepts. arXiv:2205.01833. https://openalex.org")
API_BASE = "https://api.openalex.org"

AI_SUBFIELD_ID = "https://openalex.org/subfields/1702"  # subfield "Artificial Intelligence"
AI_CONCEPT_ID = "https://openalex.org/C154945302"  # legacy concept "Artificial intelligence"
SYNTHETIC_ID_PREFIX = "https://openalex.org/W_SYNTH"  # every synthetic work id starts so
# OpenAlex writes countries as ISO 3166-1 alpha-2 (and XK for Kosovo, which ISO has no code
# for); aiatlas reports alpha-3 like every other source.
ISO2_TO_ISO3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries} | {"XK": "XKX"}


@dataclass(frozen=True)
class AiDefinition:
    """One way to decide that a work is about AI, usable on the snapshot and on the API."""

    name: str
    description: str
    score_column: str  # column of openalex_works holding the work's score for this definition
    api_filter: str  # OpenAlex API filter selecting the same works (score threshold aside)
    default_min_score: float


AI_DEFINITIONS: dict[str, AiDefinition] = {
    "subfield": AiDefinition(
        name="subfield",
        description="the work has a topic in OpenAlex subfield 1702 'Artificial Intelligence' "
                    "(score = the highest such topic score)",
        score_column="ai_topic_score",
        api_filter="topics.subfield.id:1702",
        default_min_score=0.0),
    "concept": AiDefinition(
        name="concept",
        description="the work carries the legacy concept C154945302 'Artificial intelligence' "
                    "with a score at or above the threshold (OpenAlex assigns concepts from 0.3)",
        score_column="ai_concept_score",
        api_filter="concepts.id:C154945302",
        default_min_score=0.3),
}


def ai_definition(name: str) -> AiDefinition:
    """The named AI definition, or a UsageError listing the valid ones."""
    if name not in AI_DEFINITIONS:
        raise UsageError(f"unknown AI definition {name!r} (expected one of: "
                         f"{', '.join(AI_DEFINITIONS)})")
    return AI_DEFINITIONS[name]


def read_in_place(files: dict, rejects: Rejects) -> dict[str, list]:
    """The works' rows stay in the snapshot's Parquet files, read in place by the warehouse's
    view `openalex_works`: the build copies nothing."""
    return {}


WORKS = Source(
    id="openalex_works", publisher=PUBLISHER,
    title="OpenAlex works (bulk snapshot, ingested into Parquet)",
    licence=LICENCE, citation=CITATION, homepage="https://docs.openalex.org/download-all-data",
    notes="The works snapshot (s3://openalex/data/works/), parts listed in its redshift "
          "manifest. Not fetched by `aiatlas fetch` and not in the data mirror: `aiatlas "
          "openalex ingest SNAPSHOT` streams it into a snapshot of Parquet files whose manifest "
          "records every part (URL, sha256, bytes, records) and every file (sha256, bytes, rows).",
    files=(), tables=("openalex_works",), clean=read_in_place, default=False,
    ingest="aiatlas openalex ingest SNAPSHOT",
    absent="no OpenAlex works snapshot has been ingested, so publications, citations and "
           "top-cited shares from the works are absent: run `aiatlas openalex ingest "
           "SNAPSHOT` (a synthetic one for trying it out: `aiatlas synth openalex --works N "
           "--out DIR`)")
