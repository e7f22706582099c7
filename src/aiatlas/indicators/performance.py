"""Technical performance: benchmark and Arena frontiers by openness and country, and the gaps between them.

Every model is placed through `model_identity` (see docs/performance.md). Rows whose model has
no known group (openness 'unknown' or no country) are excluded and counted in `excluded`,
never guessed. A group with no model yet has a NULL frontier, so its gaps are NULL, not 0.
"""
from __future__ import annotations

import datetime as dt

import ibis

from aiatlas.entities.coverage import benchmark_keyed
from aiatlas.entities.models import IDENTITY_INPUTS
from aiatlas.errors import UsageError
from aiatlas.indicators.registry import Param, indicator
from aiatlas.sources import lmarena

CHAPTER = "performance"
# Tables read, directly or through the model identity derived from them at build time (so a
# result's provenance lists every snapshot that placed a model in a group).
IDENTITY = ("model_identity", "model_keys", *IDENTITY_INPUTS)
# what an Arena value joins only for the names of its models (Epoch's exports and benchmark hub),
# and what a benchmark value joins only for them (the Arena's tables): neither dates the value
ARENA_JOINS = tuple(t for t in IDENTITY if t not in ("arena_ratings", "arena_models"))
BENCHMARK_JOINS = ("arena_ratings", "arena_models")
GROUPS = ("openness", "country")
# Both Arena history files are one series; a date in both is read from one file (the source
# module says which, and why).
ARENA_FILE_PREFERENCE = lmarena.FILE_PREFERENCE
# The pairs each gap compares: (leader group, follower group).
PAIRS = {"openness": ("closed", "open"), "country": ("USA", "CHN")}

BENCHMARK = Param("benchmark", str, "mmlu", "Benchmark id as in benchmark_scores.benchmark "
                  "(mmlu, gpqa_diamond, ...)", values_from=("benchmark_scores", "benchmark"))
SINCE = Param("since", dt.date, None, "First date shown (earlier scores still count toward the frontier)")
UNTIL = Param("until", dt.date, None, "Last date shown")
GROUP = Param("group", str, "openness", "openness (open vs closed) or country", choices=GROUPS)
# Which side the relative gap divides by: the AI Index states its Arena gaps relative to the
# follower (1.70% open vs closed, Feb 2025); relative to the leader reads "b trails a by x% of a".
RELATIVE_TO = Param("relative_to", str, "follower",
                    "Divisor of gap_relative_pct: follower, (a - b) / b; or leader, (a - b) / a",
                    choices=("follower", "leader"))
CATEGORY = Param("category", str, "overall", "Arena leaderboard category",
                 values_from=("arena_ratings", "category"))
# A method choice, for reproducing others' figures: which country an organization's models count
# for (the default is the one organization -> country table, entities/organizations.csv).
ORGANIZATION_COUNTRY = Param("organization_country", str, None,
                             "Count an organization's models for another country: ORG=ISO3, "
                             "several joined by ~ (default: the organization table)")


def _relabels(spec: str | None) -> dict[str, str]:
    """organization_country 'WizardLM=CHN~Other=USA' as {organization: ISO3}."""
    out = {}
    for part in (spec or "").split("~"):
        org, sep, iso = part.rpartition("=")
        if not (sep and org.strip() and len(iso.strip()) == 3 and iso.strip().isalpha()):
            raise UsageError(f"organization_country {part!r} is not ORG=ISO3",
                             hint="e.g. organization_country=WizardLM=CHN")
        out[org.strip()] = iso.strip().upper()
    return out


def _group(t, table: ibis.Table, group: str, organization_country: str | None = None) -> ibis.Table:
    """Attach model identity through the table's `key_source` / `key` columns, and the group label
    (open / closed, or ISO3 country, an organization's relabelled when asked; NULL = unknown)."""
    k, i = t.model_keys, t.model_identity
    country = i.country
    if organization_country:
        country = ibis.cases(*[(i.organization == org, iso) for org, iso
                               in _relabels(organization_country).items()], else_=i.country)
    ids = k.join(i, k.model_id == i.model_id).select(
        id_source=k.source, id_key=k.key, model_id=k.model_id, model=i.name, openness=i.openness,
        country=country, model_release=i.release_date)
    if "model" in table.columns:  # benchmark_scores.model is Epoch's name, NULL for name-only rows
        table = table.drop("model")
    j = table.left_join(ids, (table.key_source == ids.id_source) & (table.key == ids.id_key))
    if group == "openness":
        label = ibis.cases((j.openness.isin(("open_unrestricted", "open_restricted")), "open"),
                           (j.openness.isin(("api", "unreleased")), "closed"), else_=ibis.null("string"))
    else:
        label = j.country
    return j.mutate(group=label)


def _window_dates(table: ibis.Table, col: str, since, until) -> ibis.Table:
    if since is not None:
        table = table.filter(table[col] >= since)
    if until is not None:
        table = table.filter(table[col] <= until)
    return table


def _scores(t, benchmark: str, group: str) -> ibis.Table:
    """Score rows of one benchmark, dated when the model became available: the version's release
    date, else the model's, else the row's own date (Epoch run date)."""
    b = benchmark_keyed(t)
    b = b.filter((b.benchmark == benchmark) & b.score.notnull())
    v = t.model_versions.select(v_key="model_version", v_release="release_date")
    b = b.left_join(v, b.model_version == v.v_key).drop("v_key")
    s = _group(t, b, group)
    s = s.mutate(date=s.v_release.coalesce(s.model_release, s.date))
    return s.filter(s.date.notnull())


def _frontier(t, benchmark: str, group: str, period: str) -> ibis.Table:
    """Best score reached by each period per group, who set it (`record_period`, `model`) and the
    running count of excluded rows; one row per (group, period) over the benchmark's periods."""
    s = _scores(t, benchmark, group)
    s = s.mutate(period=s.date.truncate("M") if period == "month" else s.date)
    known = s.filter(s.group.notnull())
    day = known.group_by(["group", "period"]).aggregate(best_day=known.score.max())
    # Same-period ties go to the alphabetically first model name, so the holder is deterministic.
    at = known.join(day, ["group", "period"])
    at = at.filter(at.score == at.best_day)
    at = at.mutate(n=ibis.row_number().over(
        ibis.window(group_by=[at.group, at.period], order_by=[at.model, at.model_id])))
    holder = at.filter(at.n == 0).select("group", "period", "model", "model_id").distinct()
    periods = s.select("period").distinct()
    grid = periods.cross_join(known.select("group").distinct())
    g = grid.left_join(day, ["group", "period"]).select(grid.group, grid.period, day.best_day)
    cum = ibis.window(group_by=g.group, order_by=g.period, preceding=None, following=0)
    g = g.mutate(best=g.best_day.max().over(cum))
    g = g.mutate(prev=g.best.lag().over(ibis.window(group_by=g.group, order_by=g.period)))
    # A new record is a strictly higher score: a later tie leaves the frontier with the first holder.
    rec = g.best_day.notnull() & (g.prev.isnull() | (g.best_day > g.prev))
    g = g.mutate(record_period=ibis.ifelse(rec, g.period, ibis.null("date")).max().over(
        ibis.window(group_by=g.group, order_by=g.period, preceding=None, following=0)))
    h = holder.rename(record_period="period")
    g = g.left_join(h, ["group", "record_period"]).select(
        g.group, g.period, g.best, g.record_period, h.model, h.model_id)
    unknown = s.filter(s.group.isnull())
    unknown = unknown.group_by("period").aggregate(n=unknown.count())
    ex = periods.left_join(unknown, "period").select(periods.period, unknown.n)
    ex = ex.mutate(excluded=ex.n.fill_null(0).sum().over(
        ibis.window(order_by=ex.period, preceding=None, following=0)))
    g = g.join(ex, "period").select(g.group, g.period, g.best, g.record_period, g.model, g.model_id,
                                    ex.excluded)
    return g.mutate(benchmark=ibis.literal(benchmark), value=g.best * 100)


def _holder_rows(t, benchmark: str, group: str, period: str) -> ibis.Table:
    """The score row behind each group's frontier in each period (the record holder's row)."""
    f = _frontier(t, benchmark, group, period)
    s = _scores(t, benchmark, group)
    s = s.filter(s.group.notnull())
    s = s.mutate(period=s.date.truncate("M") if period == "month" else s.date)
    j = f.left_join(s, (f.group == s.group) & (f.record_period == s.period)
                    & (f.model_id == s.model_id) & (f.best == s.score))
    return j.select(benchmark=f.benchmark, group=f.group, period=f.period, value=f.value,
                    model=f.model, model_id=f.model_id, record_date=s.date, key=s.key,
                    score=s.score, source=s.source, file=s.file, row=s.row)


def _frontier_rows(t, benchmark="mmlu", since=None, until=None, group="openness"):
    """The score row behind each group's frontier at each date (the record holder)."""
    out = _holder_rows(t, benchmark, group, "day").rename(date="period")
    return _window_dates(out, "date", since, until).order_by(["group", "date", "key"])


def _gap_rows(t, benchmark="mmlu", since=None, until=None, group="openness"):
    """The score rows behind both sides of the gap in each month."""
    out = _holder_rows(t, benchmark, group, "month").rename(month="period")
    out = out.filter(out.group.isin(PAIRS[group]))
    return _window_dates(out, "month", since, until).order_by(["month", "group", "key"])


@indicator(id="benchmark_frontier", title="Best benchmark score reached, by group", unit="percent",
           chapter=CHAPTER, sources=IDENTITY, joins=BENCHMARK_JOINS,
           grain=("benchmark", "group", "date"), value_columns=("value", "model", "excluded"),
           description="Per benchmark, the best score any model of the group (open vs closed, or "
                       "country) had reached by each date on which some model scored. Empty before "
                       "the group's first model; excluded counts score rows whose model has no "
                       "known group, up to that date.",
           params=(BENCHMARK, SINCE, UNTIL, GROUP), rows=_frontier_rows)
def benchmark_frontier(t, benchmark="mmlu", since=None, until=None, group="openness"):
    f = _frontier(t, benchmark, group, "day")
    out = f.select(f.benchmark, f.group, date=f.period, value=f.value, model=f.model, excluded=f.excluded)
    return _window_dates(out, "date", since, until).order_by(["group", "date"])


def _pair(table: ibis.Table, on: str, group: str, value: str, model: str,
          relative_to: str = "follower") -> ibis.Table:
    """Leader and follower side by side per `on`, with the gap in points and in percent of the
    follower's value (or of the leader's, relative_to='leader')."""
    lead, follow = PAIRS[group]
    a = table.filter(table.group == lead)
    b = table.filter(table.group == follow)
    extra = [c for c in ("rating_scale",) if c in table.columns]  # one per `on`, carried along
    keys = table.select(on, "excluded", *extra).distinct()
    j = keys.left_join(a, on).select(keys[on], keys.excluded, *[keys[c] for c in extra],
                                     a_value=a[value], a_model=a[model])
    j = j.left_join(b, on).select(j[on], j.excluded, *[j[c] for c in extra], j.a_value, j.a_model,
                                  b_value=b[value], b_model=b[model])
    base = j.a_value if relative_to == "leader" else j.b_value
    return j.mutate(comparison=ibis.literal(f"{lead} - {follow}"), gap=j.a_value - j.b_value,
                    gap_relative_pct=(j.a_value - j.b_value) / base * 100)


@indicator(id="benchmark_gap", title="Benchmark gap: closed minus open, or US minus China",
           unit="percentage points", chapter=CHAPTER,
           sources=IDENTITY, joins=BENCHMARK_JOINS, grain=("benchmark", "month"),
           value_columns=("gap", "gap_relative_pct", "a_value", "b_value", "a_model", "b_model",
                          "excluded"),
           description="Per month (months in which some model scored), the best score reached by the "
                       "end of the month by the leading group (closed, or USA) minus that of the "
                       "following group (open, or China): in percentage points and relative to the "
                       "follower's best, (a - b) / b. Empty while either group has no model.",
           params=(BENCHMARK, SINCE, UNTIL, GROUP), rows=_gap_rows)
def benchmark_gap(t, benchmark="mmlu", since=None, until=None, group="openness"):
    f = _frontier(t, benchmark, group, "month").rename(month="period")
    out = _pair(f, "month", group, "value", "model").mutate(benchmark=ibis.literal(benchmark))
    out = out.select("benchmark", "month", "comparison", "a_value", "b_value", "gap",
                     "gap_relative_pct", "a_model", "b_model", "excluded")
    return _window_dates(out, "month", since, until).order_by("month")


def _arena(t, category: str, group: str, organization_country: str | None = None) -> ibis.Table:
    """Arena ratings of one category as one series: per date, only the preferred file's snapshot."""
    a = t.arena_ratings
    a = a.filter((a.category == category) & a.rating.notnull())
    pref = ibis.cases(*[(a.file.contains(name), i) for i, name in enumerate(ARENA_FILE_PREFERENCE)],
                      else_=len(ARENA_FILE_PREFERENCE))
    a = a.mutate(pref=pref)
    a = a.mutate(best_pref=a.pref.min().over(ibis.window(group_by=a.date)))
    a = a.filter(a.pref == a.best_pref)
    return _group(t, a.mutate(key_source=ibis.literal("arena"), key=a.arena_key), group,
                  organization_country)


def _arena_tops(t, category: str, group: str, organization_country: str | None = None) -> ibis.Table:
    """Top rating per group per date, its model (ties: alphabetical) and excluded model counts."""
    a = _arena(t, category, group, organization_country)
    known = a.filter(a.group.notnull())
    w = ibis.window(group_by=[known.date, known.group], order_by=[ibis.desc(known.rating), known.arena_key])
    top = known.mutate(n=ibis.row_number().over(w))
    top = top.filter(top.n == 0)
    ex = a.group_by("date").aggregate(excluded=a.group.isnull().cast("int64").sum())
    return top.join(ex, "date").select(top.date, top.group, top.rating, top.arena_key, top.model,
                                       top.model_id, top.file, ex.excluded, top.rating_scale)


def _arena_rows(t, since=None, until=None, group="openness", category="overall",
                relative_to="follower", organization_country=None):
    """Which model held each group's top Arena rating at each date, with its file."""
    out = _arena_tops(t, category, group, organization_country)
    return _window_dates(out, "date", since, until).order_by(["date", "group"])


@indicator(id="arena_gap", title="Arena gap: top closed vs top open, or top US vs top China",
           unit="Arena rating points", chapter=CHAPTER,
           sources=IDENTITY, joins=ARENA_JOINS, grain=("date",),
           value_columns=("gap", "gap_relative_pct", "a_value", "b_value", "a_model", "b_model",
                          "excluded", "rating_scale"),
           description="Per leaderboard date, the top rating of the leading group (closed, or USA) "
                       "minus the top rating of the following group (open, or China), and the "
                       "relative gap in percent of the follower's rating (the default, as the AI "
                       "Index states it) or, if chosen, of the leader's. "
                       "Both history files form one series; a "
                       "date present in both uses LMArena's own catalog. Ratings compare only "
                       "within a date, and across dates only within one rating scale: "
                       "the rating scale is dated by the first board of the scale the date's "
                       "ratings are on (a new scale starts where the whole board moved by more "
                       f"than {lmarena.SCALE_BREAK_POINTS:.0f} points: a new anchor or method). "
                       "'Excluded' counts that date's models with no known group.",
           params=(SINCE, UNTIL, GROUP, CATEGORY, RELATIVE_TO, ORGANIZATION_COUNTRY),
           rows=_arena_rows)
def arena_gap(t, since=None, until=None, group="openness", category="overall",
              relative_to="follower", organization_country=None):
    tops = _arena_tops(t, category, group, organization_country)
    out = _pair(tops, "date", group, "rating", "model", relative_to)
    out = out.select("date", "comparison", "a_value", "b_value", "gap", "gap_relative_pct",
                     "a_model", "b_model", "excluded", "rating_scale")
    return _window_dates(out, "date", since, until).order_by("date")


def _ranked(t, category: str) -> ibis.Table:
    a = _arena(t, category, "openness")
    w = ibis.window(group_by=a.date, order_by=[ibis.desc(a.rating), a.arena_key])
    return a.mutate(rank=ibis.row_number().over(w) + 1)


def _convergence_rows(t, since=None, until=None, category="overall"):
    """The models at ranks 1, 2 and 10 on each date."""
    r = _ranked(t, category)
    r = r.filter(r.rank.isin((1, 2, 10))).select("date", "rank", "arena_key", "model", "rating", "file")
    return _window_dates(r, "date", since, until).order_by(["date", "rank"])


@indicator(id="frontier_convergence", title="Arena rating gap between ranks 1 and 2, and 1 and 10",
           unit="Arena rating points", chapter=CHAPTER, sources=IDENTITY, joins=ARENA_JOINS,
           grain=("date",), value_columns=("gap_1_2", "gap_1_10", "models", "rating_scale"),
           description="Per leaderboard date, the rating of rank 1 minus rank 2 and minus rank 10 "
                       "(empty when the board has fewer models). Shrinking gaps mean the frontier is "
                       "crowded. Ties in rating are ranked by key. A gap within one date does not "
                       "depend on the board's anchor, but a new method can also stretch the scale "
                       "(about 1.5-fold from online Elo to Bradley-Terry in 2024), so gaps "
                       "compare across dates only within one rating scale.",
           params=(SINCE, UNTIL, CATEGORY), rows=_convergence_rows)
def frontier_convergence(t, since=None, until=None, category="overall"):
    r = _ranked(t, category)
    out = r.group_by("date").aggregate(
        r1=r.rating.max(where=r.rank == 1), r2=r.rating.max(where=r.rank == 2),
        r10=r.rating.max(where=r.rank == 10), models=r.count(), rating_scale=r.rating_scale.max())
    out = out.select("date", gap_1_2=out.r1 - out.r2, gap_1_10=out.r1 - out.r10, models=out.models,
                     rating_scale=out.rating_scale)
    return _window_dates(out, "date", since, until).order_by("date")
