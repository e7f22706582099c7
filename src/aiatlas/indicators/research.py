"""Research chapter: who builds the notable AI models, by country, region, sector and openness."""
from __future__ import annotations

import ibis

from aiatlas.entities.models import organization_parents
from aiatlas.indicators import params as P
from aiatlas.indicators.registry import indicator

CHAPTER = "research"
COUNTRY_PARAMS = (P.since(), P.until(), P.ATTRIBUTION, P.FOLD_HONG_KONG)
SECTORS = ("Industry", "Academia", "Government", "Research collective")
COLLAB = "Industry-academia collaboration"
OTHER_COLLAB = "Other collaboration"


FACTS = ("name", "year", "publication_date")  # model columns an explain row shows


def country_rows(t, since=None, until=None, attribution="each", fold_hong_kong=False):
    """One row per (model, credited country) with its weight: the rows behind the counts."""
    m = P.in_years(t.models, since, until)
    m = m.filter(m.year.notnull())
    c = P.country_credit(m, attribution, fold_hong_kong, keep=(*FACTS, "organizations"))
    return c.select("country", "year", "model_id", "name", "publication_date", "organizations",
                    "weight")


@indicator(id="notable_models_by_country", title="Notable AI models by country",
           unit="models", chapter=CHAPTER,
           description="Notable models (Epoch AI) credited to their developers' countries, per "
                       "publication year; the attribution parameter says how multi-country "
                       "models are split.",
           sources=("models",), grain=("country", "year"), params=COUNTRY_PARAMS,
           rows=country_rows, years="year")
def notable_models_by_country(t, since=None, until=None, attribution="each",
                              fold_hong_kong=False):
    """Credited model count per developer country and publication year."""
    r = country_rows(t, since, until, attribution, fold_hong_kong)
    out = r.group_by(["country", "year"]).aggregate(value=r.weight.sum())
    return P.with_country_names(out).order_by(["year", "country"])


def region_rows(t, since=None, until=None, attribution="each", fold_hong_kong=False,
                region="all"):
    """One row per (model, region) with its weight: the rows behind the region counts."""
    m = P.in_years(t.models, since, until)
    m = m.filter(m.year.notnull())
    c = P.region_credit(m, attribution, fold_hong_kong, keep=FACTS)
    if region != "all":
        c = c.filter(c.region == region)
    return c.select("region", "region_name", "year", "model_id", "name", "publication_date",
                    "weight")


@indicator(id="notable_models_by_region", title="Notable AI models by region", unit="models",
           chapter=CHAPTER,
           description="Notable models credited to documented regions (EU27, Europe, East Asia, "
                       "...; see the methodology notes) per publication year. Regions overlap, "
                       "so their values do not add up.",
           sources=("models",), grain=("region", "year"),
           params=(*COUNTRY_PARAMS, P.REGION), rows=region_rows, years="year")
def notable_models_by_region(t, since=None, until=None, attribution="each", fold_hong_kong=False,
                             region="all"):
    """Credited model count per region and publication year."""
    r = region_rows(t, since, until, attribution, fold_hong_kong, region)
    out = r.group_by(["region", "region_name", "year"]).aggregate(value=r.weight.sum())
    return out.order_by(["year", "region"])


def sector_of(models: ibis.Table):
    """The sector class of a model from its distinct organization categories."""
    s = models.sectors
    n = s.length()
    single = [((n == 1) & s.contains(name), name) for name in SECTORS]
    return ibis.cases((s.contains("Industry") & s.contains("Academia"), COLLAB), *single,
                      (n >= 2, OTHER_COLLAB), else_=ibis.null("string"))


def sector_rows(t, since=None, until=None):
    """One row per dated model with a known sector class."""
    m = P.in_years(t.models, since, until)
    m = m.mutate(sector=sector_of(m))
    m = m.filter(m.sector.notnull() & m.year.notnull())
    return m.select("year", "sector", "model_id", "name", "publication_date", "sectors")


@indicator(id="sector_shares_by_year", title="Share of notable models by sector",
           unit="share of models", chapter=CHAPTER,
           description="Share of each year's notable models by developer sector: Industry, "
                       "Academia, Government, Research collective, Industry-academia "
                       "collaboration (any model with both), Other collaboration (other "
                       "mixes). Models with no category are left out of the total.",
           sources=("models",), grain=("year", "sector"), params=(P.since(), P.until()),
           rows=sector_rows, value_columns=("value", "models", "total"), years="year")
def sector_shares_by_year(t, since=None, until=None):
    """Per year and sector: models, the year's total, and the share."""
    r = sector_rows(t, since, until)
    g = r.group_by(["year", "sector"]).aggregate(models=r.count())
    g = g.mutate(total=g.models.sum().over(group_by=g.year))
    return g.mutate(value=g.models.cast("float64") / g.total).order_by(["year", "sector"])


def _openness(table, weight):
    """open, closed, unknown (weighted) and the open share of models whose status is known."""
    ow = table.open_weights
    zero = ibis.literal(0.0, "float64")
    return {"open": ibis.ifelse(ow.fill_null(False), weight, zero).sum(),
            "closed": ibis.ifelse(~ow.fill_null(True), weight, zero).sum(),
            "unknown": ibis.ifelse(ow.isnull(), weight, zero).sum()}


def _share(g):
    known = g.open + g.closed
    return g.mutate(value=ibis.ifelse(known > 0, g.open / known, ibis.null("float64")))


def open_year_rows(t, since=None, until=None):
    """One row per dated model with its open-weights status (NULL = unknown)."""
    m = P.in_years(t.models, since, until)
    m = m.filter(m.year.notnull())
    return m.select("year", "model_id", "name", "publication_date", "open_weights",
                    "accessibility", weight=ibis.literal(1.0, "float64"))


@indicator(id="open_weights_share_by_year", title="Open-weights share of notable models",
           unit="share of models", chapter=CHAPTER,
           description="Per publication year, the share of notable models with downloadable "
                       "weights among those whose status is known; open, closed and unknown "
                       "counts are given beside it.",
           sources=("models",), grain=("year",), params=(P.since(), P.until()),
           rows=open_year_rows, value_columns=("value", "open", "closed", "unknown"), years="year")
def open_weights_share_by_year(t, since=None, until=None):
    """Open, closed, unknown counts and the open share per year."""
    r = open_year_rows(t, since, until)
    return _share(r.group_by("year").aggregate(**_openness(r, r.weight))).order_by("year")


def open_country_rows(t, since=None, until=None, attribution="each", fold_hong_kong=False):
    """One row per (model, credited country) with its open-weights status and weight."""
    m = P.in_years(t.models, since, until)
    c = P.country_credit(m, attribution, fold_hong_kong,
                         keep=("name", "year", "open_weights", "accessibility"))
    return c.select("country", "model_id", "name", "year", "open_weights", "accessibility",
                    "weight")


@indicator(id="open_weights_share_by_country", title="Open-weights share by country",
           unit="share of models", chapter=CHAPTER,
           description="For each developer country, the share of its credited notable models "
                       "(in the year range) that have downloadable weights, among those whose "
                       "status is known.",
           sources=("models",), grain=("country",), params=COUNTRY_PARAMS,
           rows=open_country_rows, value_columns=("value", "open", "closed", "unknown"))
def open_weights_share_by_country(t, since=None, until=None, attribution="each",
                                  fold_hong_kong=False):
    """Open, closed, unknown credited counts and the open share per country."""
    r = open_country_rows(t, since, until, attribution, fold_hong_kong)
    g = _share(r.group_by("country").aggregate(**_openness(r, r.weight)))
    return P.with_country_names(g).order_by("country")


def organization_rows(t, since=None, until=None, attribution="each", limit=P.LIMIT.default,
                      by_parent=False):
    """One row per (model, credited organization) with its weight (all organizations: `limit`
    is accepted with the indicator's parameters but not applied); with
    by_parent, labs count as their parent company (declared in entities/organization_parents.csv),
    so a model by Google and DeepMind is one Google model."""
    m = P.in_years(t.models, since, until)
    c = P.credit(m, "organizations", attribution, "organization", keep=FACTS)
    c = c.select("organization", "model_id", "name", "year", "publication_date", "weight")
    if not by_parent:
        return c
    c = c.mutate(organization=c.organization.substitute(organization_parents(), else_=c.organization))
    keys = ["organization", "model_id", "name", "year", "publication_date"]
    # two labs of one parent on one model: one credit (fractional halves add back up to 1)
    g = c.group_by(keys).aggregate(weight=c.weight.sum())
    return g.mutate(weight=ibis.least(g.weight, 1)).select(*keys, "weight")


@indicator(id="top_organizations", title="Top organizations by notable models", unit="models",
           chapter=CHAPTER,
           description="Organizations ranked by credited notable models in the year range "
                       "(ties broken by name); the attribution parameter splits models with "
                       "several developers.",
           sources=("models",), grain=("organization",),
           params=(P.since(), P.until(), P.ORG_ATTRIBUTION, P.LIMIT, P.BY_PARENT),
           rows=organization_rows, value_columns=("value",))
def top_organizations(t, since=None, until=None, attribution="each", limit=20, by_parent=False):
    """The `limit` organizations with the most credited models, with their rank."""
    r = organization_rows(t, since, until, attribution, by_parent=by_parent)
    g = r.group_by("organization").aggregate(value=r.weight.sum(), models=r.count())
    g = g.mutate(rank=ibis.row_number().over(order_by=[ibis.desc("value"), "organization"]) + 1)
    return g.filter(g.rank <= limit).select("rank", "organization", "value", "models") \
        .order_by("rank")
