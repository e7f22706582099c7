"""OpenAlex REST API: `group_by` aggregates of AI works by country and year, for laptops.

Follows the API's documented etiquette: `mailto` (polite pool) or an `api_key`, at most a few
requests per second (the documented ceiling is 100/s), exponential backoff on 429/403 (rate
limit) and 5xx, honouring `Retry-After`; cursor paging (`cursor=*` then `meta.next_cursor`)
for group lists longer than one page. A `group_by` answer is
`{"meta": {"count", "groups_count", "next_cursor"?}, "group_by": [{"key", "key_display_name", "count"}]}`.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from aiatlas.errors import DataError, FetchError
from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, f, need
from aiatlas.sources.openalex import (
    AI_DEFINITIONS,
    API_BASE,
    CITATION,
    ISO2_TO_ISO3,
    LICENCE,
    PUBLISHER,
    AiDefinition,
)

RETRY_STATUS = {403, 429, 500, 502, 503, 504}
COUNTRY_KEY_PREFIX = "https://openalex.org/countries/"


class OpenAlexClient:
    """A polite, retrying client for the OpenAlex API."""

    def __init__(self, *, mailto: str | None = None, api_key: str | None = None,
                 base_url: str = API_BASE, retries: int = 5, backoff: float = 1.0,
                 min_interval: float = 0.11, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.mailto, self.api_key = mailto, api_key
        self.retries, self.backoff, self.min_interval = retries, backoff, min_interval
        self.sleep = sleep
        self._last = 0.0
        self.requests = 0  # answered requests, for the snapshot's manifest
        ua = "aiatlas (+https://github.com/aiatlas)" + (f" mailto:{mailto}" if mailto else "")
        self.http = httpx.Client(base_url=base_url, timeout=60.0, transport=transport,
                                 headers={"User-Agent": ua}, follow_redirects=True)

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET a JSON answer, spacing requests and retrying rate limits and server errors."""
        params = dict(params)
        if self.mailto:
            params["mailto"] = self.mailto
        if self.api_key:
            params["api_key"] = self.api_key
        for attempt in range(self.retries + 1):
            wait = self.min_interval - (time.monotonic() - self._last)
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()
            try:
                resp = self.http.get(path, params=params)
                self.requests += 1
            except httpx.TransportError as e:
                if attempt == self.retries:
                    raise FetchError(f"{path}: {e} after {self.retries} retries") from None
                self.sleep(self.backoff * 2 ** attempt)
                continue
            if resp.status_code in RETRY_STATUS and attempt < self.retries:
                retry_after = resp.headers.get("Retry-After", "")
                delay = float(retry_after) if retry_after.isdigit() else self.backoff * 2 ** attempt
                self.sleep(delay)
                continue
            if resp.status_code != 200:
                message = _error_message(resp)
                raise FetchError(f"{resp.request.url}: HTTP {resp.status_code}: {message}",
                                 hint="check the filter syntax; add --mailto or --api-key for "
                                      "the polite pool; OpenAlex limits free daily usage")
            try:
                return resp.json()
            except ValueError:
                raise DataError(f"{resp.request.url}: answer is not JSON") from None
        raise FetchError(f"{path}: gave up after {self.retries} retries")  # pragma: no cover

    def groups(self, filter: str, group_by: str) -> Iterator[dict[str, Any]]:
        """Every group of `/works?filter=...&group_by=...`, following the cursor across pages."""
        cursor = "*"
        while cursor:
            page = self.get("/works", {"filter": filter, "group_by": group_by,
                                       "per_page": 200, "cursor": cursor})
            if "group_by" not in page:
                raise DataError(f"/works?filter={filter}&group_by={group_by}: answer has no "
                                "'group_by' list (expected a group_by response)")
            yield from page["group_by"]
            groups = page["group_by"]
            cursor = (page.get("meta") or {}).get("next_cursor") if groups else None


def _error_message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        return str(body.get("message") or body.get("error") or body)[:300]
    except ValueError:
        return resp.text[:300]


def parse_country_groups(groups: list[dict[str, Any]], year: int) -> list[dict[str, Any]]:
    """Rows `country_code, year, works` from a `group_by=authorships.countries` answer."""
    rows = []
    for i, g in enumerate(groups):
        key, count = g.get("key"), g.get("count")
        if not isinstance(key, str) or not isinstance(count, int):
            raise DataError(f"group_by[{i}]: key={key!r} count={count!r} "
                            "(expected a country key and an integer count)")
        code = key.removeprefix(COUNTRY_KEY_PREFIX).upper()
        if len(code) != 2 or not code.isalpha():
            continue  # the 'unknown' group, when asked for with :include_unknown
        rows.append({"country_code": code, "year": year, "works": count})
    return rows


def ai_works_by_country_year(client: OpenAlexClient, definition: AiDefinition, years: range,
                             *, work_type: str | None = None) -> list[dict[str, Any]]:
    """AI works per (country, year), full counting, one group_by call per year.

    The API cannot apply a score threshold to topics or concepts: any work tagged with the
    definition's subfield or concept counts, which matches `min_score=0` on the snapshot path.
    """
    rows: list[dict[str, Any]] = []
    for year in years:
        filt = f"{definition.api_filter},publication_year:{year}"
        if work_type:
            filt += f",type:{work_type}"
        rows += parse_country_groups(list(client.groups(filt, "authorships.countries")), year)
    return rows


# --- the `openalex_publications` source: API aggregates fetched by `aiatlas fetch` ------------

AGGREGATES_FILE = "ai_works_by_country_year.csv"
FIRST_YEAR = 2000
AGGREGATE_FIELDS = ("country", "country_code", "year", "works", "ai_definition")


def aggregate_years() -> range:
    """Publication years asked for: 2000 to last year (this year's counts are still growing)."""
    return range(FIRST_YEAR, dt.date.today().year)


def client_from_env(**given: str | None) -> OpenAlexClient:
    """The client `aiatlas fetch` and `openalex api-counts` use: $AIATLAS_OPENALEX_API points at
    another server speaking the API (tests, a proxy); $AIATLAS_OPENALEX_MAILTO /
    $AIATLAS_OPENALEX_API_KEY join the polite pool (an option given beats the environment)."""
    return OpenAlexClient(mailto=given.get("mailto") or os.environ.get("AIATLAS_OPENALEX_MAILTO"),
                          api_key=given.get("api_key") or os.environ.get("AIATLAS_OPENALEX_API_KEY"),
                          base_url=os.environ.get("AIATLAS_OPENALEX_API", API_BASE))


def aggregates(client: OpenAlexClient, definition: AiDefinition,
               years: range) -> tuple[list[dict[str, Any]], bytes, dict[str, Any]]:
    """AI works by ISO3 country and year (full counting) asked of the API: (rows, their CSV
    bytes, the manifest fields that say where and when they came from)."""
    asked_at = dt.datetime.now(dt.UTC)
    rows = [{"country": ISO2_TO_ISO3.get(r["country_code"]), **r,
             "ai_definition": definition.name}
            for r in ai_works_by_country_year(client, definition, years)]
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=AGGREGATE_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({**r, "country": r["country"] or ""} for r in rows)
    data = body.getvalue().encode("utf-8")
    return rows, data, {
        "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
        "as_of": asked_at.date().isoformat(), "fetched_at": asked_at.isoformat(),
        "requests": client.requests, "rows": len(rows),
        "query": f"{client.http.base_url}/works?filter={definition.api_filter},"
                 f"publication_year:{years.start}..{years.stop - 1}"
                 "&group_by=authorships.countries (one call per year, cursor paging)"}


def produce_aggregates(dest: Path) -> dict[str, Any]:
    """Write AI works by country and year (subfield definition, full counting) from the API."""
    _, data, meta = aggregates(client_from_env(), AI_DEFINITIONS["subfield"], aggregate_years())
    dest.write_bytes(data)
    return {k: v for k, v in meta.items() if k not in ("fetched_at", "rows")}


def clean_aggregates(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """ai_works_by_country_year.csv -> openalex_ai_works."""
    sheet = Sheet(PUBLICATIONS.id, AGGREGATES_FILE, need(files, AGGREGATES_FILE, PUBLICATIONS.id),
                  (f("country", "country"), f("country_code", "country_code", required=True),
                   f("year", "year", kind="int", required=True),
                   f("works", "works", kind="int", required=True),
                   f("ai_definition", "ai_definition", required=True)), rejects)
    out = []
    for _, c in sheet.rows():
        if c["country_code"] is None or c["year"] is None or c["works"] is None:
            continue  # rejected already, with row and column
        out.append(c | {"country": c["country"] or None})
    return {"openalex_ai_works": out}


PUBLICATIONS = Source(
    id="openalex_publications", publisher=PUBLISHER,
    title="AI works by country and year (OpenAlex API group_by aggregates)",
    licence=LICENCE, citation=CITATION, homepage="https://openalex.org",
    notes="Live aggregates, asked for at fetch time: works in subfield 1702 'Artificial "
          "Intelligence' per publication year, grouped by authorships.countries (full counting). "
          "Not in the data mirror.",
    files=(SourceFile(AGGREGATES_FILE, f"{API_BASE}/works?group_by=authorships.countries",
                      mirror_path="", produce=produce_aggregates),),
    tables=("openalex_ai_works",), clean=clean_aggregates,
    absent="no OpenAlex API aggregates in this build, so publications by country are absent "
           "(the data mirror holds no OpenAlex data): run `aiatlas fetch openalex_publications` "
           "online, then `aiatlas build`; the works-snapshot indicators need `aiatlas openalex "
           "ingest SNAPSHOT`")

SOURCES = (PUBLICATIONS,)
