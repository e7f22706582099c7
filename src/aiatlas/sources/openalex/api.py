"""OpenAlex REST API: `group_by` aggregates of AI works by country and year, for laptops.

Follows the API's documented etiquette: `mailto` (polite pool) or an `api_key`, at most a few
requests per second (the documented ceiling is 100/s), exponential backoff on 429/403 (rate
limit) and 5xx, honouring `Retry-After`; cursor paging (`cursor=*` then `meta.next_cursor`)
for group lists longer than one page. A `group_by` answer is
`{"meta": {"count", "groups_count", "next_cursor"?}, "group_by": [{"key", "key_display_name", "count"}]}`.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from aiatlas.errors import DataError, FetchError
from aiatlas.sources.openalex import API_BASE, AiDefinition

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
