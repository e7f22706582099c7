"""The report's "What changed since the previous data" page, from two vintages of the mirror."""
from __future__ import annotations

import csv
import re
import shutil

import pytest

from aiatlas import api
from aiatlas.curated import published
from aiatlas.report import changed
from aiatlas.report.build import build_reports, environment
from aiatlas.report.i18n import Text

# one worker runs the whole module, so its two vintages and their report are built once (its
# tests, sent one by one, went to both workers, and each built them)
pytestmark = [pytest.mark.mirror, pytest.mark.xdist_group("report-changed")]


def _names(path) -> set[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["Model"].strip() for row in csv.DictReader(fh) if row["Model"].strip()}


@pytest.fixture(scope="module")
def two_vintages(tmp_path_factory, built_home):
    """A copy of the mirror's built home (its current build and SQL templates) that also holds
    the April-2025 and the July-2026 vintages of the Epoch export, as a user's home does after
    `aiatlas build --as-of` twice: the vintage's report runs from the current build's templates
    (from a home of vintages alone it compiled every request through Ibis: 25 -> 8 s of CPU)."""
    home = tmp_path_factory.mktemp("changed") / "home"
    shutil.copytree(built_home, home, symlinks=True)
    api.build(home=home, as_of="2025-04-30")
    api.build(home=home, as_of="2026-07-31")
    return home


@pytest.fixture(scope="module")
def vintage_report(two_vintages, tmp_path_factory):
    """The July-2026 vintage's report in both languages, built together (as `aiatlas report
    --lang en,ja` does): the folder of each language and its build result."""
    out = tmp_path_factory.mktemp("changed-report")
    built = build_reports(out, langs=("en", "ja"), home=two_vintages, as_of="2026-07-31")
    return {lang: (out / lang, built[lang]) for lang in built}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_page_names_a_model_of_one_vintage_only(two_vintages, mirror, vintage_report, lang):
    only_new = sorted(_names(mirror / "epoch/notable_ai_models.csv")
                      - _names(mirror / "epoch/archive/notable_ai_models_2025-04-18.csv"))
    folder, report = vintage_report[lang]
    assert "changed.html" in report["pages"] and not report["untranslated"]
    html = (folder / "changed.html").read_text(encoding="utf-8")
    assert Text(lang)("changed_title") in html
    assert ("2025-04-30" if lang == "en" else "2025年4月30日") in html  # ja prose: dates in words
    assert 'href="changed.html"' in (folder / "index.html").read_text(encoding="utf-8")
    models = next(t for t in changed.page(two_vintages, "2026-07-31")["tables"]
                  if t["table"] == "models")
    assert models["added"] > len(models["added_names"]) == changed.SHOWN  # summarised, counted
    first = models["added_names"][0]
    assert first in only_new and first in html
    assert Text(lang)("changed_more", n=models["added"] - changed.SHOWN) in html
    # a changed row says how many of its values changed, never their warehouse column names
    name, n = models["changed_names"][0]
    assert f'{name}</span> ({Text(lang)("changed_values", n=n)})' in html
    assert not re.search(r"\([a-z]+_[a-z_]+[,)]", html), re.search(r".{40}\([a-z]+_[a-z_]+[,)]", html)
    # the reconcile page's reasons read in the report's language (the April-2025 vintage
    # reproduces the US count of 2024 within ±1)
    recon = (folder / "reconcile.html").read_text(encoding="utf-8")
    assert Text(lang)("why_within", tolerance="1") in recon
    assert ("within ±" in recon) == (lang == "en")
    # figure titles and units in the reader's language too
    (pub,) = published.publications()
    for fig in pub.figures:
        assert (fig.figure in recon) == (lang == "en")
        assert ((fig.figure_ja or "") in recon) == (lang == "ja")
    assert ("（モデル数、± 1）" in recon) == (lang == "ja")
    # headline values by country are named in the reader's language, not by ISO code
    assert Text(lang).country("USA") + " " in html and "USA " not in html.replace("USA - CHN", "")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_no_earlier_build_is_said_in_plain_words(two_vintages, lang):
    change = changed.page(two_vintages, "2025-04-30")  # the oldest vintage has nothing before it
    assert change == {"previous": None, "tables": [], "headlines": []}
    text = Text(lang)
    html = environment().get_template("changed.html.j2").render(
        t=text, lang=lang, nav=[], generated="", json_href="changed.json", attributions=[],
        change=change)
    assert text("changed_none") in html and not text.missed
    assert "aiatlas build" not in html and "/vintages" not in html
