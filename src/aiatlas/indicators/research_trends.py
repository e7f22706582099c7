"""Research chapter: growth trends of training compute, parameters, cost, dataset size and power, and compute shares."""
from __future__ import annotations

from aiatlas.indicators import params as P
from aiatlas.indicators.registry import indicator

CHAPTER = "research"
TREND_PARAMS = (P.SUBSET, P.since(2010), P.until())
TREND_VALUES = ("slope_per_year", "doubling_months")
TREND_NOTE = ("Least squares of log10({what}) on the publication date in decimal years; slope "
              "in orders of magnitude per year, doubling time in months, with a 95% interval "
              "(Student t). Models without a positive value or a date are left out.")


def _trend_rows(column):
    def rows(t, subset="notable", since=2010, until=None):
        """The points of the fit: one row per model with its value and log10 value."""
        return P.trend_points(P.model_table(t, subset), column, since, until)

    rows.__name__ = f"{column}_trend_rows"
    return rows


def _trend(column):
    def compute(t, subset="notable", since=2010, until=None):
        """Slope, doubling time and 95% interval of the log-linear fit."""
        return P.log_trend(P.trend_points(P.model_table(t, subset), column, since, until))

    return compute


def _register_trend(id, title, column, unit_of_value, sources=("models", "frontier_models",
                                                               "large_scale_models")):
    indicator(id=id, title=title, unit="orders of magnitude per year", chapter=CHAPTER,
              description=TREND_NOTE.format(what=unit_of_value), sources=sources, grain=(),
              params=TREND_PARAMS, rows=_trend_rows(column),
              value_columns=TREND_VALUES)(_trend(column))


_register_trend("training_compute_trend", "Training compute trend", "training_compute_flop",
                "training compute in FLOP")
_register_trend("parameter_count_trend", "Parameter count trend", "parameters",
                "trainable parameters")
_register_trend("training_cost_trend", "Training cost trend", "training_cost_usd",
                "training compute cost in 2023 USD")
_register_trend("training_dataset_trend", "Training dataset size trend", "training_dataset_size",
                "training dataset size in datapoints; for language models mostly tokens or "
                "words, as Epoch's unit varies by domain")
_register_trend("training_power_trend", "Training power draw trend", "training_power_w",
                "power drawn by the training hardware in watts, Epoch's 'Training power draw (W)'")


def compute_rows(t, since=None, until=None, attribution="each", fold_hong_kong=False):
    """One row per (model with known compute, credited country) with weight and weighted FLOP."""
    m = P.in_years(t.models, since, until)
    m = m.filter(m.training_compute_flop.notnull() & (m.training_compute_flop > 0)
                 & m.year.notnull())
    c = P.country_credit(m, attribution, fold_hong_kong,
                         keep=("name", "year", "training_compute_flop"))
    return c.select("country", "year", "model_id", "name", "training_compute_flop", "weight",
                    weighted_flop=c.training_compute_flop * c.weight)


@indicator(id="training_compute_share_by_country",
           title="Share of total training compute by country", unit="share of FLOP",
           chapter=CHAPTER,
           description="Per publication year, each developer country's credited training "
                       "compute divided by the total training compute of that year's notable "
                       "models with known compute. When each country counts a multi-country "
                       "model in full, shares can add up to more than 1.",
           sources=("models",), grain=("country", "year"), params=(
               P.since(), P.until(), P.ATTRIBUTION, P.FOLD_HONG_KONG),
           rows=compute_rows, value_columns=("value", "compute_flop", "total_flop"), years="year")
def training_compute_share_by_country(t, since=None, until=None, attribution="each",
                                      fold_hong_kong=False):
    """Credited FLOP, the year's total FLOP, and the share, per country and year."""
    m = P.in_years(t.models, since, until)
    m = m.filter(m.training_compute_flop.notnull() & (m.training_compute_flop > 0)
                 & m.year.notnull())
    totals = m.group_by("year").aggregate(total_flop=m.training_compute_flop.sum())
    r = compute_rows(t, since, until, attribution, fold_hong_kong)
    g = r.group_by(["country", "year"]).aggregate(compute_flop=r.weighted_flop.sum(),
                                                  models=r.weight.sum())
    g = g.join(totals, "year")
    g = g.mutate(value=g.compute_flop / g.total_flop)
    g = g.select("country", "year", "value", "compute_flop", "total_flop", "models")
    return P.with_country_names(g).order_by(["year", "country"])

