"""Extraction of numeric claims from English and Japanese text: numbers, scales, units, traps."""
from __future__ import annotations

import re
import unicodedata

import pytest

from aiatlas.claims import bind as bind_module
from aiatlas.claims import extract as extract_module
from aiatlas.claims import gazetteer, words
from aiatlas.claims.extract import extract
from aiatlas.claims.text import _EXTRA, normalise, search_end, sentences
from aiatlas.errors import UsageError


def claims(text, lang="auto"):
    return [c for s in extract(text, lang) for c in s.claims]


def one(text, lang="auto"):
    found = claims(text, lang)
    assert len(found) == 1, [c.text for c in found]
    return found[0]


@pytest.mark.parametrize("text,value,kind,unit,currency", [
    ("中国は約30万台のロボットを導入した。", 300_000, "count", "units", ""),
    ("総額は475億ドルに上る。", 47_500_000_000, "money", "USD", "USD"),
    ("フランスは1,000億ユーロを投じる。", 100_000_000_000, "money", "EUR", "EUR"),
    ("フランスは１，０００億ユーロを投じる。", 100_000_000_000, "money", "EUR", "EUR"),
    ("基金は3440億元規模だ。", 344_000_000_000, "money", "CNY", "CNY"),
    ("輸出は27万6000台を超えた。", 276_000, "count", "units", ""),
    ("France pledged €109 billion.", 109_000_000_000, "money", "EUR", "EUR"),
    ("They will spend $500bn.", 500_000_000_000, "money", "USD", "USD"),
    ("They raised US$6.6 billion.", 6_600_000_000, "money", "USD", "USD"),
    ("Sales reached 1.2 million units.", 1_200_000, "count", "units", ""),
    ("The share was 62%.", 62, "percent", "%", ""),
    ("シェアは６２．５％だった。", 62.5, "percent", "%", ""),
    ("比率は３割だった。", 30, "percent", "%", ""),
    ("The gap fell by 3.5 percentage points.", 3.5, "points", "points", ""),
    ("差は10ポイント縮小した。", 10, "points", "points", ""),
    ("Performance rose 2.5 times.", 2.5, "multiple", "x", ""),
    ("性能は2.5倍になった。", 2.5, "multiple", "x", ""),
    ("Compute doubles every 6 months.", 6, "duration", "months", ""),
    ("計算量は6か月ごとに倍増する。", 6, "duration", "months", ""),
    ("The lab released 40 notable AI models.", 40, "count", "models", ""),
    ("中国は31の注目すべきモデルを公開した。", 31, "count", "models", ""),
    ("The chip uses a 7 nm process.", 7, "number", "nm", ""),
])
def test_numbers_scales_units_and_currencies(text, value, kind, unit, currency):
    q = one(text).quantity
    assert (q.value, q.kind, q.unit, q.currency) == (pytest.approx(value), kind, unit, currency)


@pytest.mark.parametrize("text,qualifier,word", [
    ("Nearly 40 models were open.", "nearly", "Nearly"),
    ("Over $500bn will be spent.", "over", "Over"),
    ("More than 60% were closed.", "over", "More than"),
    ("At least 12 labs joined.", "at_least", "At least"),
    ("約40％が公開された。", "approx", "約"),
    ("150件以上が報告された。", "at_least", "以上"),
    ("500億ドル超が投じられた。", "over", "超"),
    ("40％近くが公開された。", "nearly", "近く"),
    ("最大5000億ドルを投資する。", "at_most", "最大"),
    ("出荷は27万6000台を超えた。", "over", "を超えた"),
    ("利用率は40%を上回った。", "over", "を上回った"),
    ("利用率は40%を下回った。", "under", "を下回った"),
])
def test_approximate_words_set_the_qualifier(text, qualifier, word):
    q = one(text).quantity
    assert (q.qualifier, q.qualifier_text) == (qualifier, word)


@pytest.mark.parametrize("text", ["米国の最高スコアは中国を3.4ポイント上回った。",
                                  "中国の評価は米国を2.8%下回った。"])
def test_a_margin_before_uwamawatta_is_the_margin_itself_not_a_bound(text):
    # 'Bを3.4ポイント上回った': A exceeded B by 3.4 points (exactly), not by more than 3.4
    assert one(text).quantity.qualifier == "exact"


@pytest.mark.parametrize("text,low,high", [
    ("About 10-15% of chips come from one fab.", 10, 15),
    ("Between 10 and 15 percent of firms test for fairness.", 10, 15),
    ("割合は10〜15%だ。", 10, 15),
    ("割合は１０～１５％だ。", 10, 15),
    ("It costs $2-3 billion.", 2e9, 3e9),
])
def test_ranges(text, low, high):
    q = one(text).quantity
    assert (q.value, q.high) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize("text,rank", [
    ("China is the second-largest producer.", 2),
    ("The United States ranked first in 2023.", 1),
    ("米国が1位だった。", 1),
    ("中国は世界第2位の市場だ。", 2),
])
def test_ranks(text, rank):
    c = [c for c in claims(text) if c.quantity.kind == "rank"]
    assert len(c) == 1 and c[0].quantity.value == rank and c[0].quantity.rank


@pytest.mark.parametrize("text,iso", [
    ("France announced it on February 10, 2025.", "2025-02-10"),
    ("The rule took effect on 13 January 2025.", "2025-01-13"),
    ("発表は2025年2月10日だった。", "2025-02-10"),
    ("発表は2月3日だった。", "--02-03"),
    ("発表は２月３日だった。", "--02-03"),
])
def test_dates(text, iso):
    q = one(text).quantity
    assert (q.kind, q.date) == ("date", iso)


@pytest.mark.parametrize("text,reason", [
    ("GPT-4 and Llama 3 are models.", "part of a name"),
    ("OpenAI's o3 was released.", "part of a name"),
    ("The H100 is a chip.", "part of a name"),
    ("It happened in 2024.", "a year alone"),
    ("2024年に発表された。", "a year alone"),
    ("1. Notable models by country", "list numbering"),
    ("①米国が先行した。", "list numbering"),
    ("Section 3 explains the method.", "reference number"),
    ("第3章で説明する。", "ordinal label"),
    ("Of the top 10 labs, none is European.", "top N"),
    ("It was announced in March 2025.", "month and year"),
])
def test_numbers_that_are_not_claims_are_skipped_with_a_reason(text, reason):
    sent = extract(text)
    assert [c.text for s in sent for c in s.claims] == []
    assert any(reason in k.reason for s in sent for k in s.skipped), [k.reason for s in sent for k in s.skipped]


def test_subjects_and_years_come_from_the_gazetteer_and_nearby_years():
    found = claims("The US produced 57 notable models in 2024, down from 86 in 2023, "
                   "while China produced 31.")
    got = [(c.quantity.value, c.subject("country").id, c.year) for c in found]
    assert got == [(57, "USA", 2024), (86, "USA", 2023), (31, "CHN", 2023)]
    ja = claims("ファーウェイは約40万個を出荷し、米国とアメリカ企業を追う。中国は2位。")
    assert [c.subject("country").country for c in ja] == ["CHN", "CHN"]  # Huawei is Chinese
    assert ja[0].subject("organization").id == "huawei"


@pytest.mark.parametrize("text", [
    "米中の差、日中と米国, Pro1 vs o1 and o3-mini, GPT-4o, H100s, XH100 and Llama 3 70B.",
    "o1o1 H100H200 米米中中 (o3) GPT-5-mini Claude Opus 4 AI Index 2025",
])
def test_the_gazetteers_regex_names_are_found_where_the_whole_alternation_finds_them(text):
    """The `regex` names are tried only at characters a name can start with; a look-behind
    still sees the text before that character, and the first regex that matches there wins."""
    g = gazetteer.default()
    assert g._rx_starts is not None  # every packaged regex starts with a known character
    spans = [(m.start(), m.end(), m.lastgroup) for m in g._regex_matches(text)]
    assert spans == [(m.start(), m.end(), m.lastgroup) for m in g._rx_regex.finditer(text)]
    assert spans


def test_a_regex_name_whose_first_character_is_not_known_is_still_found():
    g = gazetteer.Gazetteer({"models": {"m": {"regex": [r"\d+x\d+B", "(?<=[米日])中"]}}})
    assert g._rx_starts is None
    assert [(e.text, e.id) for e in g.find("the 8x7B model; 米中")] == [("8x7B", "m"), ("中", "m")]


def test_a_bare_number_takes_the_unit_of_the_claim_before_it():
    a, b = claims("英国は13件の注目モデル、中国は12だった。")
    assert (b.quantity.kind, b.quantity.unit) == (a.quantity.kind, a.quantity.unit) == ("count", "cases")


def test_offsets_point_into_the_original_text_even_after_nfkc():
    text = "メモ：中国は約３０万台を導入した。"
    c = one(text)
    assert text[c.start:c.end] == c.text == "約３０万台"
    assert c.quantity.value == 300_000


def test_sentence_split_en_ja_keeps_abbreviations_and_decimals():
    norm = normalise("The U.S. grew 3.5% in 2024. China grew too! 中国は伸びた。米国は？ 1. A list")
    got = [norm.text[a:b] for a, b in sentences(norm.text)]
    assert got == ["The U.S. grew 3.5% in 2024.", "China grew too!", "中国は伸びた。", "米国は?",
                   "1. A list"]


@pytest.mark.parametrize("text", ["", "abc", "ＡＢＣ１２３", "GPT-4は１，０００億ドル〜2兆円。e\u0301 ﬁ ①",
                                  "令和７年 Q3 2025–26", "x\u00a0y", "\u3000７割 — done", "末尾の全角！"])
def test_normalise_is_nfkc_per_character_with_its_origin(text):
    # ASCII runs are copied whole: the text and the map back are those of NFKC one character at a time
    parts = [_EXTRA.get(ch) or unicodedata.normalize("NFKC", ch) for ch in text]
    norm = normalise(text)
    if "令和" not in text:
        assert norm.text == "".join(parts)
        assert norm.origin == [i for i, p in enumerate(parts) for _ in p] + [len(text)]
    assert norm.original == text and len(norm.origin) == len(norm.text) + 1


def test_search_end_finds_what_search_finds():
    # the '...$' regexes tried only where a match can start: the same matches as searching all
    regexes = [extract_module._GLUED, extract_module._CURRENCY_CODE, extract_module._REFERENCE, extract_module._REFERENCE_JA, extract_module._NAME_END,
               extract_module._TOP_N, extract_module._PER_BEFORE, extract_module._THRESHOLD_BEFORE, extract_module._SPAN_OF_TIME,
               bind_module._SINCE_BEFORE, bind_module._BASE_BEFORE, bind_module._DEADLINE_BEFORE, bind_module._BASE_JA,
               re.compile(r"(?:a|b)+c$")]  # unbounded: searched whole
    texts = ["", "US$", "see Figure ", "see xFigure ", "H100", "GPT-", "図 ", "大基金", "the top ",
             "per ", "super ", "under the limit of about ", "cut-off at ", "上限値は約", "over the next ",
             "since ", "by FY", "rose from ", "組織の", "組織のおよそ ", "abac", "the US\n", "Table\n",
             " Section \n", "organisations of the top \n"]  # '$' before a final newline
    texts += [t[:i] for t in ("In the top 10, per 1,000 people, by fiscal 2030, organisations の約 "
                              "Section 3 of the limit at about 50 図表付録ページ上位トップ",) for i in range(120)]
    for rx in regexes:
        for t in texts:
            got, want = search_end(rx, t), rx.search(t)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), (rx, t)


def test_language_is_detected_per_sentence_or_forced():
    sents = extract("China made 31 models. 中国は31件だった。")
    assert [s.lang for s in sents] == ["en", "ja"]
    assert {s.lang for s in extract("China made 31 models.", lang="ja")} == {"ja"}
    with pytest.raises(UsageError):
        extract("x", lang="fr")


@pytest.mark.parametrize("text,name", [
    ("Nvidia's RTX 4090 sells for $1,599 in the US.", "RTX 4090"),
    ("Huawei's Mate 60 Pro runs on the Kirin 9000S chip.", "Mate 60 Pro"),
    ("The iPhone 15 Pro shipped in 2023.", "iPhone 15 Pro"),
    ("Phones with the Snapdragon 8 Gen 3 sold well.", "Snapdragon 8 Gen 3"),
    ("Meta released Qwen2.5 72B rivals.", "72B"),
    ("ファーウェイのMate 60 ProはKirin 9000Sを搭載した。", "Mate 60 Pro"),
    ("RTX 4090は1,599ドルで販売された。", "RTX 4090"),
])
def test_numbers_inside_product_and_model_identifiers_are_no_claims(text, name):
    """A name word with its number (acronym, camel case, glued letters, a following name word,
    a parameter count after a model) is an identifier, whatever the gazetteer knows."""
    found = extract(text)
    assert name in [k.text for s in found for k in s.skipped
                    if k.reason.startswith("part of a name")]
    assert not any(name in c.text or c.text in name for s in found for c in s.claims)


@pytest.mark.parametrize("text,value", [
    ("Alibaba 6, ByteDance 3 and Tencent 2 notable models were counted.", 6),  # subjects named
    ("About 40 Chinese firms tested the models.", 40),  # a word that opens a figure
    ("The H100 has 80GB of memory.", 80),  # a unit glued to the figure
    ("MMLU 88.7 was the best score.", 88.7),  # a benchmark's score
    ("Smartphones use 7nm chips.", 7),
])
def test_a_figure_next_to_a_name_word_stays_a_claim(text, value):
    assert value in [c.quantity.value for c in claims(text)]


def test_a_product_number_skipped_in_japanese_says_why_in_japanese():
    (s,) = extract("ファーウェイのMate 60 Proが発売された。")
    (k,) = [k for k in s.skipped if k.text == "Mate 60 Pro"]
    assert words.skipped(k.reason, "ja") == "名称の一部（製品名）です"


@pytest.mark.parametrize("text,count,unit,whole", [
    ("Five of the twelve largest clusters are in Texas.", 5, "clusters", "twelve"),
    ("3 of the 10 largest AI clusters are in China.", 3, "clusters", "10"),
    ("最大級の12のクラスターのうち5つがテキサス州にある。", 5, "items", "12"),
    ("上位10社のうち3社が中国企業だった。", 3, "organizations", "10"),
])
def test_a_count_within_a_set_the_sentence_defines(text, count, unit, whole):
    """'N of the M largest X': M defines the set (no claim), N counts X within it."""
    (s,) = extract(text)
    (c,) = s.claims
    assert (c.quantity.value, c.quantity.kind, c.quantity.unit) == (count, "count", unit)
    assert c.subset and whole in c.subset
    assert [k.text for k in s.skipped if k.reason.startswith("defines a set")] == [whole]


@pytest.mark.parametrize("text", [
    "40% of the 57 US models were open.",  # a share of a total
    "2023年の注目モデルのうち約63%が重みを公開していた。",  # a share of the set; 2023 is a year
    "注目モデル57件のうち4割がオープンだった。",
])
def test_a_share_of_a_stated_total_is_not_a_subset(text):
    found = claims(text)
    assert found and all(c.subset == "" for c in found)


@pytest.mark.parametrize("text,value,qualifier", [
    ("日本は中国の約6分の1だった。", 16.67, "approx"),
    ("注目モデルの3分の2が産業界製だった。", 66.67, "exact"),
    ("In 2024 roughly two in five notable models came with open weights.", 40, "approx"),
    ("One in three firms used AI in 2024.", 33.33, "exact"),
])
def test_a_fraction_is_one_share_not_two_numbers(text, value, qualifier):
    (c,) = claims(text)
    assert (c.quantity.kind, c.quantity.unit, c.quantity.value, c.quantity.qualifier) == \
        ("percent", "%", value, qualifier)


def test_a_fraction_keeps_what_it_is_measured_against():
    (s,) = extract("日本の導入台数は2023年に4万6106台で、中国の約6分の1だった。")
    assert s.claims[1].reference.id == "CHN" and s.claims[1].subjects[0].id == "JPN"


@pytest.mark.parametrize("text,total,part", [
    ("Of the 35 notable models Chinese labs put out in 2025, 27 came with open weights.", 35, 27),
    ("Of the 12 chips Huawei designed, 4 were made by SMIC.", 12, 4),
    ("2025年に中国が出した注目モデル35件のうち、27件は重みを公開していた。", 35, 27),
])
def test_a_total_stated_first_is_a_claim_and_the_count_after_it_a_subset(text, total, part):
    """'Of the M X ..., N ...' and 'M件のうち、N件': M is a figure of its own (a claim), N
    counts within it and is never judged as the total."""
    found = claims(text)
    by_value = {c.quantity.value: c for c in found}
    assert by_value[total].subset == "" and by_value[part].subset
    assert by_value[part].quantity.kind == "count"


@pytest.mark.parametrize("text,figure,world", [
    ("China installed 295,000 robots in 2024, more than half of the world's 542,000.", 542000, True),
    ("The world installed 542,000 robots in 2024, and China installed 295,000 of them.", 542000, True),
    ("Worldwide, 542,000 robots were installed in 2024, with China at 295,000.", 542000, True),
    ("中国は2024年に29万5000台を導入し、世界全体の54万2000台の半分以上を占めた。", 542000, True),
    ("China installed 295,000 robots in 2024, more than half of the world's 542,000.", 295000, False),
    ("China is the world's largest robot market, with 295,000 robots installed in 2024.", 295000, False),
])
def test_a_figure_whose_phrase_names_the_world_is_the_worlds(text, figure, world):
    c = next(c for c in claims(text) if c.quantity.value == figure)
    assert (c.subject("country").id == "WLD") is world


def test_a_world_rank_keeps_the_world_as_its_frame():
    c = one("日本は産業用ロボットの導入で世界2位だった。")
    assert c.subject("country").id == "JPN"


@pytest.mark.parametrize("text,value,qualifier", [
    ("日本は4万6106台で、米国の3万7587台を上回った。", 37587, "exact"),  # the US figure itself
    ("日本は前年の23件を上回った。", 23, "exact"),
    ("米国の導入台数は3万台を上回った。", 30000, "over"),  # the subject's own bound
    ("米国の導入台数は3万台を下回った。", 30000, "under"),
])
def test_a_comparison_verb_bounds_only_the_subjects_own_figure(text, value, qualifier):
    c = next(c for c in claims(text) if c.quantity.value == value)
    assert c.quantity.qualifier == qualifier


@pytest.mark.parametrize("text,threshold", [
    ("Its interconnect ran at 400 GB/s, under the 600 GB/s limit.", "600"),
    ("The H20's TPP of 2,368 sits just under the 2,400 threshold.", "2,400"),
    ("At 2,368, its TPP is under the rule's threshold of 4,800.", "4,800"),
    ("H800の帯域幅は400GB/sで、上限の600GB/sを下回った。", "600"),
    ("TPPは2368で、基準の4800を下回る。", "4800"),
])
def test_a_threshold_or_limit_is_a_rules_figure_not_the_named_things(text, threshold):
    """Marked as a rule's parameter (judged by claims/threshold.py), every other figure not."""
    marked = [c.text for c in claims(text) if c.threshold]
    assert len(marked) == 1 and marked[0].startswith(threshold)
    assert all(not c.threshold for c in claims(text) if not c.text.startswith(threshold))


@pytest.mark.parametrize("text", ["中国の大基金3期の登録資本は3440億元だった。",
                                  "中国の大基金第3期の登録資本は3440億元だった。"])
def test_a_numbered_phase_is_a_label(text):
    (s,) = extract(text)
    assert [c.quantity.value for c in s.claims] == [344_000_000_000]
    assert any(k.text == "3" and k.reason.startswith("an ordinal label") for k in s.skipped)


@pytest.mark.parametrize("text", [
    "Chinese developers made 15 of 2024's notable AI models.",
    "Chinese developers made 15 of the notable AI models of 2024.",
    "Of 2024's notable AI models, 15 came from China.",
    "Of the notable models released in 2024, 15 came from China.",
])
def test_a_count_of_a_named_whole_set_counts_its_things(text):
    """'15 of 2024's notable models': a count of notable models, of the sentence's year."""
    (c,) = claims(text)
    assert (c.quantity.value, c.quantity.kind, c.quantity.unit) == (15, "count", "models")
    assert (c.subject("country").id, c.year) == ("CHN", 2024)


@pytest.mark.parametrize("text", [
    "In 2024, 15 of the models in the top 20 were Chinese.",
    "In 2024 China built 3 of the largest clusters.",
    "Of the largest clusters, 3 are in China.",
])
def test_a_count_of_a_narrowed_set_takes_no_unit_of_the_whole(text):
    """The set is a part the data does not count as such (top 20, largest): no count unit."""
    assert all(c.quantity.unit not in ("models", "clusters") or c.subset for c in claims(text))


def test_a_figure_in_the_next_clause_does_not_narrow_the_set():
    a, b = claims("Chinese models accounted for 31 of 2024's notable models, up from 23 a year earlier.")
    assert (a.quantity.value, a.quantity.unit, a.year) == (31, "models", 2024)
    assert (b.quantity.value, b.quantity.unit) == (23, "models")
