"""Everything the checker prints for a Japanese article is Japanese: verdicts, reasons,
allowances, skipped numbers, labels. Latin words may only be names (from the article or the
bound subjects), units and the allowlist below; commands and citations are quoted as written."""
from __future__ import annotations

import inspect
import re
from html.parser import HTMLParser

import pytest

from aiatlas import api
from aiatlas.claims import check, chipspec, chipstatus, judge, precision, ratio, render, words
from aiatlas.claims.extract import extract
from aiatlas.claims.model import VERDICTS, Verdict

# Latin-script words a Japanese check may show outside names: units, formats, measure names
JA_ALLOWED = {"AI", "aiatlas", "JSON", "TDP", "TPP", "FP16", "BF16", "FP8", "FP32", "INT8", "W",
              "nm", "GB", "TB", "mm", "OPS", "FLOPS", "Epoch", "MMLU", "Arena", "LMArena"}
ARTICLE = "\n".join([
    "2024年の注目モデル数は米国対中国で60対35だった。",  # contradicted, exact counts
    "2024年に中国が開発した注目モデルは約30件だった。",  # supported, hedged
    "AIインデックス2025によると、2024年に米国の機関が開発した注目モデルは40件だった。",  # vintage
    "2023年の米国の注目モデルは86件と、前年の68件から増えた。",  # relative year
    "昨年、中国の注目モデルは31件だった。",  # no year: unverifiable
    "A800は許可なく中国に輸出できた。",  # ambiguous rule date
    "H100 SXM5のTDPは700ワットで、800億個のトランジスタを搭載する。",  # chip specs
    "フランスは2025年2月9日に1,090億ユーロのAI投資を発表した。",  # date and money
    "詳しくは第3章と図2を参照のこと。",  # skipped numbers
    "2024年のオープンウェイトの割合は39%だった。",
    "中国の産業用ロボット設置台数は2023年に30万台を超えた。",
    "3月に新しい方針が示された。",
])
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*")


class Visible(HTMLParser):
    """Visible text of the HTML report, without quoted names, commands and citations."""

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        quoted = tag in ("code", "cite", "style", "title") or cls in ("claim", "sentence")
        self.stack.append(quoted or (self.stack and self.stack[-1]))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


@pytest.fixture(scope="module")
def report(built_home):
    return api.check(ARTICLE, home=built_home, as_text=True, lang="auto")


def _names(report) -> set[str]:
    """Latin words of the article and of the names of what each figure was bound to."""
    names = set(LATIN.findall(ARTICLE))
    for s in report.sentences:
        for c in s.claims:
            names |= set(LATIN.findall(words.describe(c)["subject"]))
            names |= set(LATIN.findall(c.verdict.subject))
    return names


def _english(text: str, allowed: set[str]) -> list[str]:
    return sorted({w for w in LATIN.findall(text) if w not in allowed})


def test_the_article_exercises_every_verdict_and_the_skipped_notes(report):
    got = {c.verdict.verdict for s in report.sentences for c in s.claims}
    assert got == {"supported", "contradicted", "unverifiable"} or got >= {"supported", "contradicted", "unverifiable"}
    assert any(s.skipped for s in report.sentences) and any(s.note for s in report.sentences)
    assert render.report_lang(report) == "ja"


def test_table_rows_are_japanese(report):
    allowed = JA_ALLOWED | _names(report)
    head = words.COLUMNS["ja"]
    for row in render.rows(report):
        for key, cell in row.items():
            if key in (head["claim"], head["subject"]):
                continue  # the article's own words and the bound names
            assert _english(str(cell), allowed) == [], (key, cell)
    assert _english(render.title(report).split(":")[0], allowed) == []
    assert _english(render.counts_line(report), allowed) == []


def test_markdown_is_japanese_outside_quotes(report):
    allowed = JA_ALLOWED | _names(report)
    for line in render.to_markdown(report).splitlines():
        if line.startswith(("# ", "**")) or line.lstrip().startswith("- 根拠"):
            continue  # the title names the source; sentences and evidence are quoted
        assert _english(re.sub(r"`[^`]*`", "", line), allowed) == [], line


def test_html_is_japanese_outside_quotes(report):
    page = Visible()
    page.feed(render.to_html(report))
    text = " ".join(page.parts).replace(report.source, "")
    assert _english(text, JA_ALLOWED | _names(report)) == []


def test_every_pattern_names_its_measure_in_english_and_japanese():
    from aiatlas.claims import patterns

    missing = [p.id for p in patterns.load() if not (p.title.get("en") and p.title.get("ja"))]
    assert missing == []


def test_every_reason_the_extractor_skips_a_number_for_has_its_japanese():
    """Read the reasons from extract.py itself, so a new one without Japanese fails here."""
    import ast
    import inspect

    from aiatlas.claims import extract

    tree = ast.parse(inspect.getsource(extract))
    reasons = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "skip":
            reasons |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
        if isinstance(node, ast.FunctionDef) and node.name == "_not_a_claim":
            reasons |= {r.value.value for r in ast.walk(node) if isinstance(r, ast.Return)
                        and isinstance(r.value, ast.Constant) and isinstance(r.value.value, str)}
    reasons -= {"year"}  # not a reason: the number is a year, read as the claim's time
    assert len(reasons) >= 10
    for reason in sorted(reasons):
        ja = words.skipped(reason, "ja")
        assert ja == words.SKIPPED_JA.get(reason), reason
        assert LATIN.findall(ja) == [], ja
    assert words.skipped("part of a name (model)", "ja") == "名称の一部（モデル名）です"


def test_a_japanese_reason_is_never_empty_nor_dangling():
    """Every reason key the checker sets (read from its source), with and without a data value:
    the Japanese reason says something whole, never '' nor 'データでは' with nothing after."""
    keys = {""} | {k for m in (check, judge, chipspec, chipstatus, ratio)
                   for k in re.findall(r'reason_key="(\w+)"', inspect.getsource(m))}
    assert {"no_measure", "revised_cited", "vintage_not_held"} <= keys
    for key in sorted(keys):
        for verdict in VERDICTS:
            for actual in (None, 57.0):
                v = Verdict(verdict, "an English reason", reason_key=key, actual=actual,
                            latest=actual, unit="models", as_of="2025-04-18" if actual else "")
                ja = words.reason(v, "ja")
                assert ja.strip() and not ja.rstrip("。").endswith(("では", "は", "、")), (key, verdict, ja)


@pytest.mark.parametrize("text, half", [("29万5000台", 0.0), ("29万台", 5000.0), ("1億2000万人", 5000.0)])
def test_a_myriad_number_is_as_precise_as_its_last_written_group(text, half):
    (claim,) = [c for s in extract(f"中国は2024年に{text}の産業用ロボットを導入した。", "ja")
                for c in s.claims]
    assert precision.rounding(claim.quantity)[0] == half
