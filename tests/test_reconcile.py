"""`aiatlas reconcile`: published figures recomputed on their vintage and today, each classified."""
from __future__ import annotations

import datetime as dt

import pytest
from conftest import REPO

from aiatlas.curated import published
from aiatlas.errors import DataError
from aiatlas.report import i18n
from aiatlas.report import reconcile as R
from aiatlas.report.i18n import Text

# id -> (class on the publisher's vintage, class on today's data), worked out from the mirror
EXPECTED = {
    "notable-models-usa-2024": (R.REPRODUCED, R.REVISED),
    "notable-models-china-2024": (R.REVISED, R.REVISED),
    "notable-models-europe-2024": (R.REPRODUCED, R.REVISED),
    "open-closed-arena-gap-2025-02": (R.METHOD, R.METHOD),
    "us-china-arena-gap-2024-01": (R.METHOD, R.METHOD),
    "us-china-arena-gap-2025-02": (R.METHOD, R.METHOD),
    "us-china-mmlu-gap-2024": (R.CANNOT, R.NOT_REPRODUCED),
    "us-china-mmlu-gap-2023": (R.CANNOT, R.NOT_REPRODUCED),
    "us-china-humaneval-gap-2024": (R.CANNOT, R.CANNOT),
    "us-china-math-gap-2024": (R.CANNOT, R.CANNOT),
    "compute-doubling": (R.REPRODUCED, R.REPRODUCED),
    "dataset-doubling": (R.REPRODUCED, R.REPRODUCED),
    "power-doubling": (R.NOT_REPRODUCED, R.METHOD),
}


def test_published_figures_validate_and_cite_where_they_were_read():
    (pub,) = published.publications()
    assert pub.vintage == dt.date(2025, 4, 30) and pub.url.startswith("https://")
    assert {f.id for f in pub.figures} == set(EXPECTED)


def test_a_figure_read_nowhere_is_a_one_line_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("publisher: P\ntitle: T\nurl: u\npublished: 2025-01-01\nvintage: 2025-01-01\n"
                    "reported_by: {a: u}\nfigures:\n- {id: x, figure: f, value: 1, unit: u, "
                    "as_printed: '1', read_in: b, tolerance: 0,\n   compute: {indicator: i, column: c}}\n")
    with pytest.raises(DataError, match="bad.yaml: figure 'x': read_in 'b' is not in reported_by"):
        published._load(path)


def _fig(**kw):
    base = dict(id="x", figure="f", value=10, unit="u", as_printed="10", read_in="a", tolerance=1,
                compute={"indicator": "i", "column": "value"},
                alternatives=[{"rule": "rule B", "params": {"p": "b"}}])
    return published.Figure.model_validate(base | kw)


def test_classes_follow_the_values_on_each_build(monkeypatch):
    values = {("then", None): 10.5, ("now", None): 14.0, ("then", "b"): 20.0, ("now", "b"): 10.2}

    def fake(fig, as_of, home, alt=None):
        key = ("then" if as_of else "now", alt.params.get("p") if alt else None)
        return values[key], {"value": values[key]}, None

    monkeypatch.setattr(R, "_value", fake)
    monkeypatch.setattr(R, "rows_only_in", lambda *a, **k: {"only_in_a": 1, "only_in_b": 4})
    pub = published.Publication(publisher="P", title="T", url="u", published=dt.date(2025, 1, 1),
                                vintage=dt.date(2025, 1, 1), reported_by={"a": "u"}, figures=[])
    row = R.reconcile_figure(pub, _fig(), home=None)
    assert row["on_vintage"]["class"] == R.REPRODUCED
    assert row["today"]["class"] == R.REVISED and "1 rows only then, 4 only now" in row["today"]["why"]
    values[("then", None)] = 30.0  # neither build reproduces it; rule B does today
    row = R.reconcile_figure(pub, _fig(), home=None)
    assert (row["on_vintage"]["class"], row["today"]["class"]) == (R.NOT_REPRODUCED, R.METHOD)
    assert "rule B gives 10.2" in row["today"]["why"]

    def missing(*a, **k):
        raise R._Missing("no rows")

    monkeypatch.setattr(R, "_value", missing)
    row = R.reconcile_figure(pub, _fig(), home=None)
    assert row["today"] == {"value": None, "class": R.CANNOT, "why": "no rows",
                            "reason": {"key": "why_error", "args": {"detail": "no rows"}}}


def test_a_split_that_does_not_add_up_to_the_figure_is_a_one_line_error(tmp_path):
    path = tmp_path / "split.yaml"
    path.write_text("publisher: P\ntitle: T\nurl: u\npublished: 2025-01-01\nvintage: 2025-01-01\n"
                    "reported_by: {a: u}\nfigures:\n- {id: x, figure: f, value: 5, unit: u, "
                    "as_printed: '5', read_in: a, tolerance: 0,\n   compute: {indicator: i, column: c},"
                    "\n   breakdown: {by: org, published: {A: 3, B: 1}, printed_in: Fig 1}}\n")
    with pytest.raises(DataError, match="split.yaml: figure 'x': breakdown.published sums to 4, "
                                        "not the figure's 5"):
        published._load(path)


def test_rows_beyond_the_publishers_own_split_explain_a_later_export(monkeypatch):
    """The publisher's snapshot is older than the data; its count per organization accounts for
    its figure, and the rows beyond it are exactly the difference: revised, rows named."""
    rows = [{"name": n, "org": o} for n, o in [("a1", ["A"]), ("a2", ["A"]), ("a3", ["A", "Uni"]),
                                               ("b1", ["B"]), ("c1", ["C"]), ("c2", ["Uni", "C"])]]
    monkeypatch.setattr(R, "_value", lambda fig, as_of, home, alt=None:
                        (float(len(rows)), {"value": len(rows)}, "2025-04-18"))
    monkeypatch.setattr(R.api, "explain", lambda *a, **k: type("R", (), {
        "to_pylist": lambda self: rows})())
    split = {"by": "org", "published": {"A": 2, "B": 1, "Uni": 1}, "printed_in": "Figure 9"}
    pub = published.Publication(publisher="P", title="T", url="u", published=dt.date(2025, 4, 1),
                                vintage=dt.date(2025, 4, 30), data_as_of=dt.date(2025, 3, 17),
                                reported_by={"a": "u"}, figures=[])
    side = R._on(pub, _fig(value=4, alternatives=[], breakdown=split), pub.vintage, None)
    # a3 counts for A (the first organization the split names), c2 for Uni
    assert side["class"] == R.REVISED and side["rows"]["extra"] == 2
    assert [(x["value"], x["rows"]) for x in side["rows"]["beyond"]] == [
        ("A", ["a1", "a2", "a3"]), ("C", ["c1"])]
    assert "the 2 rows beyond it are A (2 published): 1 of a1, a2, a3; C (0 published): c1" \
        in side["why"]
    # the same rows with the publisher's data newer than ours: no revision explains it
    newer = pub.model_copy(update={"data_as_of": dt.date(2025, 5, 1)})
    assert R._on(newer, _fig(value=4, alternatives=[], breakdown=split), pub.vintage,
                 None)["class"] == R.NOT_REPRODUCED
    # a split value with fewer rows here than published: rows were not only added
    short = split | {"published": {"A": 2, "B": 2}}
    assert R._on(pub, _fig(value=4, alternatives=[], breakdown=short), pub.vintage,
                 None)["class"] == R.NOT_REPRODUCED


def test_reasons_read_in_japanese_with_the_curated_rule_names():
    ja = Text("ja")
    alts = [published.Alternative(rule="rule B", rule_ja="ルール B"), published.Alternative(rule="C")]
    r = R._reason("why_not_reproduced", value="20", published="15", tolerance="1",
                  rules=R._rules(alts, "en"), rules_ja=R._rules(alts, "ja"))
    assert r["why"] == "20 vs 15 (tolerance ±1); alternatives tried: rule B, C"
    assert ja(r["reason"]["key"], **r["reason"]["args"]) == \
        "20（公表値 15、許容範囲 ±1）。試した別のルール：ルール B, C"
    keys = {k for k in i18n.catalog("en")["ui"] if k.startswith("why_")}
    assert keys and keys <= set(i18n.catalog("ja")["ui"]) and not ja.missed


@pytest.mark.mirror
def test_reconcile_on_the_mirror_matches_the_golden_page_and_each_class(tmp_path, mirror):
    R.build_mirror_home(tmp_path, str(mirror))
    rows = R.reconcile(home=tmp_path)
    got = {r["id"]: (r["on_vintage"]["class"], r["today"]["class"]) for r in rows}
    assert got == EXPECTED
    by_id = {r["id"]: r for r in rows}
    # China's 15: the Index's snapshot (2025-03-17) predates the export; the five rows beyond its
    # own count per organization are named
    china = by_id["notable-models-china-2024"]["on_vintage"]["rows"]
    assert {x["value"]: (x["published"], len(x["rows"])) for x in china["beyond"]} == {
        "01.AI": (0, 2), "ByteDance": (3, 4), "DeepSeek": (2, 3), "Moonshot": (0, 1)}
    assert china["extra"] == 5
    # January 2024's 9.26%: WizardLM counted as Chinese makes wizardlm-70b the top Chinese model
    gap = by_id["us-china-arena-gap-2024-01"]["on_vintage"]
    assert gap["rows"]["ours"]["b_model"] == "Yi-34B"
    assert gap["rows"]["theirs"]["b_model"] == "wizardlm-70b"
    assert "counting WizardLM's models as Chinese gives 9.27" in gap["why"]
    assert "follower model: Yi-34B" in gap["why"]  # the differing column by its title, not its id
    golden = (REPO / "docs" / "reconcile.md").read_text(encoding="utf-8")
    assert R.markdown(rows) == golden, "run `make docs` to regenerate docs/reconcile.md"


def test_every_published_figure_and_rule_reads_in_japanese():
    ja = Text("ja")
    for pub in published.publications():
        for fig in pub.figures:
            assert fig.figure_ja and fig.figure_ja != fig.figure, fig.id
            assert ja._get("units", fig.unit) is not None, fig.unit
            assert all(a.rule_ja for a in fig.alternatives), fig.id
            assert fig.breakdown is None or fig.breakdown.printed_in_ja, fig.id


def test_a_missing_vintage_is_said_as_such_not_as_missing_values(monkeypatch, tmp_path):
    from aiatlas import api
    from aiatlas.errors import VintageNotBuiltError

    def compute(indicator, *, home=None, as_of=None, **params):
        raise VintageNotBuiltError(f"no vintage of the data as of {as_of} has been built")

    monkeypatch.setattr(api, "compute", compute)
    pub = published.Publication(publisher="P", title="T", url="u", published=dt.date(2025, 1, 1),
                                vintage=dt.date(2025, 4, 30), reported_by={"a": "u"}, figures=[])
    side = R._on(pub, _fig(), pub.vintage, None)
    assert side["class"] == R.CANNOT and side["reason"]["key"] == "why_vintage_not_built"
    assert "no vintage of the data as of 2025-04-30" in side["why"]
