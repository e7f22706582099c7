"""Research output from OpenAlex: AI publications, citations and top-cited shares by country.

Pure Ibis over `openalex_works` (the year-partitioned Parquet dataset the OpenAlex ingest
writes), so the same expressions run on DuckDB and on Spark. Countries are OpenAlex's ISO
3166-1 alpha-2 codes of the authors' institutions (and authors' countries). Counting:
`full` credits each work once to every country on it; `fractional` splits each work's credit
equally over its distinct countries, so country values add up to the world total.
"""
from __future__ import annotations

import ibis

from aiatlas.indicators.params import with_country_names
from aiatlas.indicators.registry import Param, indicator
from aiatlas.sources.openalex import AI_DEFINITIONS, ISO2_TO_ISO3

CHAPTER = "research"
SOURCES = ("openalex_works",)

P_DEFINITION = Param("ai_definition", str, "subfield",
                     "Which works count as AI: " + "; ".join(
                         f"'{d.name}': {d.description}" for d in AI_DEFINITIONS.values()),
                     choices=tuple(AI_DEFINITIONS))
P_MIN_SCORE = Param("min_score", float, None,
                    "Minimum score under the AI definition (default: 0.0 for 'subfield', "
                    "0.3 for 'concept', OpenAlex's own concept-assignment threshold)",
                    minimum=0.0, maximum=1.0)  # both scores are OpenAlex's 0-1 scores
P_COUNTING = Param("counting", str, "fractional",
                   "full: each work counts 1 for every country on it; fractional: 1 split "
                   "equally over its distinct countries", choices=("full", "fractional"))


def ai_works(t, ai_definition: str = "subfield", min_score: float | None = None):
    """The AI works under the declared definition, with an integer `year` column."""
    d = AI_DEFINITIONS[ai_definition]
    threshold = d.default_min_score if min_score is None else min_score
    w = t.openalex_works
    score = w[d.score_column]
    w = w.filter(score.notnull() & (score >= threshold))
    return w.mutate(year=w.publication_year.cast("int64"))


def work_countries(works):
    """One row per (work, country): the country's credit under full and fractional counting.

    `country` is the ISO alpha-3 code of OpenAlex's alpha-2 `country_code`; a code ISO does not
    know gives a NULL country (its work still counts towards the world totals).
    """
    n = works.country_codes.length()
    wc = works.filter(n > 0).select("id", "year", "cited_by_count", "counts_by_year",
                                    n_countries=n, country_code=works.country_codes.unnest())
    iso = ibis.memtable({"iso2": list(ISO2_TO_ISO3), "country": list(ISO2_TO_ISO3.values())})
    j = wc.left_join(iso, wc.country_code == iso.iso2)
    wc = j.select(*[j[c] for c in wc.columns], country=j.country)
    return wc.mutate(fraction=1.0 / wc.n_countries.cast("float64"), full=ibis.literal(1.0))


def _credit(wc, counting: str):
    return wc.fraction if counting == "fractional" else wc.full


def _credited(wc, counting: str):
    """The (work, country) rows as explain shows them: credit under the chosen counting."""
    return wc.select("country", "year", "id", "country_code", "n_countries", "cited_by_count",
                     credit=_credit(wc, counting))


def _rows(t, ai_definition="subfield", min_score=None, counting="fractional", **_):
    """The publications behind a value: one row per (AI work, country) with its credit.

    Summing `credit` per (country, year) gives ai_publications_by_country, the
    `publications` column (numerator) of ai_publications_world_share, and the `publications`
    column (year Y) of ai_publications_growth; the growth denominator is the same sum at
    Y - span, the world share's denominator counts these works once each.
    """
    return _credited(work_countries(ai_works(t, ai_definition, min_score)), counting)


def _citation_rows(t, ai_definition="subfield", min_score=None, counting="fractional", **_):
    """One row per (work, country, citing year): that year's citations times the credit.

    `year` is the citing year (the indicator's grain); summing `value` per (country,
    year) gives ai_citations_by_country.
    """
    wc = work_countries(ai_works(t, ai_definition, min_score))
    wc = wc.mutate(credit=_credit(wc, counting))
    cy = wc.select("country", "country_code", "id", "n_countries", "credit",
                   publication_year=wc.year, c=wc.counts_by_year.unnest())
    cy = cy.select("country", "country_code", "id", "publication_year", "n_countries", "credit",
                   year=cy.c["year"].cast("int64"),
                   citations=cy.c["cited_by_count"].cast("float64"))
    return cy.select("country", "year", "id", "country_code", "publication_year", "n_countries",
                     "citations", "credit", value=cy.citations * cy.credit)


def _top_rows(t, ai_definition="subfield", min_score=None, counting="fractional",
              top_percent=10, **_):
    """The top-cited works behind a value: one row per (top work, country) with its credit.

    Only the works `_top_cited` keeps within their publication year; summing `credit` per
    (country, year) gives ai_top_cited_share's `top_works` column.
    """
    return _credited(work_countries(_top_works(t, ai_definition, min_score, top_percent)),
                     counting)


def _top_works(t, ai_definition, min_score, top_percent):
    """The top-cited AI works with a known country, within their publication year."""
    w = ai_works(t, ai_definition, min_score)
    return _top_cited(w.filter(w.country_codes.length() > 0), top_percent)


@indicator(id="ai_publications_by_country", title="AI publications by country and year",
           unit="publications", chapter=CHAPTER, sources=SOURCES, grain=("country", "year"),
           params=(P_DEFINITION, P_MIN_SCORE, P_COUNTING), rows=_rows,
           description="Scholarly works about AI, under the declared AI definition (OpenAlex "
                       "subfield or concept), by the countries of their authors' institutions "
                       "and publication year, with full or fractional counting.")
def ai_publications_by_country(t, ai_definition="subfield", min_score=None, counting="fractional"):
    rows = _rows(t, ai_definition, min_score, counting)  # what explain shows
    return _named(rows.group_by(["country", "year"]).aggregate(value=rows.credit.sum()))


@indicator(id="ai_publications_world_share", title="Share of the world's AI publications",
           unit="share (0-1)", chapter=CHAPTER, sources=SOURCES, grain=("country", "year"),
           params=(P_DEFINITION, P_MIN_SCORE, P_COUNTING), rows=_rows,
           value_columns=("value", "publications", "world_publications"),
           description="A country's AI publications over all AI works with a known country "
                       "in that year. Fractional shares add up to 1; full-counting shares add "
                       "up to more, since a co-authored work counts for each of its countries.")
def ai_publications_world_share(t, ai_definition="subfield", min_score=None,
                                counting="fractional"):
    w = ai_works(t, ai_definition, min_score)
    counts = ai_publications_by_country(t, ai_definition, min_score, counting)
    by_country = counts.select("country", "year", publications=counts.value)
    world = (w.filter(w.country_codes.length() > 0).group_by("year")
             .aggregate(world_publications=w.id.count().cast("float64")))
    j = by_country.join(world, "year")
    return _named(j.select("country", "year", value=j.publications / j.world_publications,
                           publications=j.publications, world_publications=j.world_publications))


@indicator(id="ai_citations_by_country", title="Citations received by AI publications, by country",
           unit="citations", chapter=CHAPTER, sources=SOURCES, grain=("country", "year"),
           params=(P_DEFINITION, P_MIN_SCORE, P_COUNTING), rows=_citation_rows,
           description="Citations received in each year by a country's AI works (OpenAlex "
                       "citation counts per year, which cover only the last ten years), with "
                       "full or "
                       "fractional counting over the countries of the authors' institutions.")
def ai_citations_by_country(t, ai_definition="subfield", min_score=None, counting="fractional"):
    cy = _citation_rows(t, ai_definition, min_score, counting)
    return _named(cy.group_by(["country", "year"]).aggregate(value=cy.value.sum()))


@indicator(id="ai_top_cited_share", title="Share of the world's most-cited AI publications",
           unit="share (0-1)", chapter=CHAPTER, sources=SOURCES, grain=("country", "year"),
           params=(P_DEFINITION, P_MIN_SCORE, P_COUNTING,
                   Param("top_percent", int, 10, "Top 1% or top 10% of AI works by citations "
                         "within their publication year (ties broken by work id)",
                         choices=(1, 10))),
           rows=_top_rows, value_columns=("value", "top_works", "world_top_works"),
           description="A country's share of the AI works in the top 1% or 10% by citations "
                       "among the works of their publication year.")
def ai_top_cited_share(t, ai_definition="subfield", min_score=None, counting="fractional",
                       top_percent=10):
    top = _top_works(t, ai_definition, min_score, top_percent)
    rows = _credited(work_countries(top), counting)  # what explain shows (_top_rows)
    by_country = rows.group_by(["country", "year"]).aggregate(top_works=rows.credit.sum())
    world = top.group_by("year").aggregate(world_top_works=top.id.count().cast("float64"))
    j = by_country.join(world, "year")
    return _named(j.select("country", "year", value=j.top_works / j.world_top_works,
                           top_works=j.top_works, world_top_works=j.world_top_works))


def _top_cited(w, top_percent: int):
    """The top k works of each year by cited_by_count, ties broken by id, k = ceil(n * p / 100).

    The same works as ranking every work of a year, without sorting them all: per year and
    citation count the works are counted (a small table), a running count from the top finds
    the cut-off count, every work above it is in, and only the works tied at the cut-off are
    ranked by id to fill the remaining places.
    """
    counts = w.group_by(["year", "cited_by_count"]).aggregate(n=w.id.count())
    down = ibis.window(group_by=counts.year, order_by=ibis.desc(counts.cited_by_count),
                       rows=(None, 0))
    counts = counts.mutate(through=counts.n.sum().over(down),
                           year_total=counts.n.sum().over(ibis.window(group_by=counts.year)))
    # integer arithmetic, so every engine gets the same k
    k = (counts.year_total * top_percent + 99) // 100
    above = counts.through - counts.n  # works of the year cited more than this count
    cut = counts.filter((above < k) & (counts.through >= k)).select(
        "year", cut=counts.cited_by_count, places=k - above)
    j = w.join(cut, "year")
    tied = j.filter(j.cited_by_count == j.cut)
    tied = tied.mutate(rank=ibis.row_number().over(group_by=tied.year, order_by=tied.id))
    tied = tied.filter(tied.rank < tied.places)
    return j.filter(j.cited_by_count > j.cut).union(tied.drop("rank")).drop("cut", "places")


@indicator(id="ai_publications_growth", title="Compound annual growth of AI publications",
           unit="per year (0.1 = 10%)", chapter=CHAPTER, sources=SOURCES,
           grain=("country", "year"),
           params=(P_DEFINITION, P_MIN_SCORE, P_COUNTING,
                   Param("span", int, 5, "Years over which growth is compounded: the value "
                         "for year Y compares Y with Y - span",
                         # 0 divides by zero, a negative span looks forward in time
                         minimum=1, maximum=50)),
           rows=_rows, value_columns=("value", "publications", "publications_before"),
           description="Per country, (publications in year Y / publications in year Y - span) "
                       "to the power 1 / span, minus 1; missing where either year has no AI "
                       "publications.")
def ai_publications_growth(t, ai_definition="subfield", min_score=None, counting="fractional",
                           span=5):
    pubs = ai_publications_by_country(t, ai_definition, min_score, counting).drop("country_name")
    before = pubs.select("country", year=pubs.year + span, publications_before=pubs.value)
    j = pubs.join(before, ["country", "year"])
    return _named(j.select("country", "year",
                           value=(j.value / j.publications_before) ** (1.0 / span) - 1.0,
                           publications=j.value, publications_before=j.publications_before))


def _named(table):
    """The country's English name beside its code, rows in (year, country) order."""
    return with_country_names(table).order_by(["year", "country"])


def _api_rows(t, **_):
    """The API aggregates behind a value: one row per (country, year) as fetched."""
    w = t.openalex_ai_works
    return w.select("country", "year", "country_code", "works", "ai_definition")


@indicator(id="ai_publications_api", title="AI publications by country and year (OpenAlex API)",
           unit="publications", chapter=CHAPTER, sources=("openalex_ai_works",),
           grain=("country", "year"), rows=_api_rows,
           description="Works in OpenAlex subfield 1702 'Artificial Intelligence' with at least "
                       "one authorship in the country, per publication year, as the OpenAlex "
                       "API counted them on the day the data was fetched (full counting: a "
                       "co-authored work counts for each of its countries). Needs no bulk "
                       "snapshot; 'AI publications by country' offers fractional counting.")
def ai_publications_api(t):
    w = t.openalex_ai_works
    w = w.filter(w.country.notnull())
    return _named(w.select("country", year=w.year.cast("int64"), value=w.works.cast("float64")))
