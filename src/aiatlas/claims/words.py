"""What a reader sees of a verdict, in the article's language (English or Japanese)."""
from __future__ import annotations

import functools
import gettext
import re

import pycountry

from aiatlas.claims import gazetteer
from aiatlas.claims.model import CheckedClaim, Verdict
from aiatlas.claims.precision import UNITS_JA, human, human_ja

VERDICT = {
    "en": {"supported": "supported", "contradicted": "contradicted", "revised": "revised",
           "unverifiable": "unverifiable", "skipped": "no claim"},
    "ja": {"supported": "裏付けあり", "contradicted": "データと不一致", "revised": "データ改訂",
           "unverifiable": "検証不能", "skipped": "主張なし"},
}
COLUMNS = {
    "en": {"#": "#", "claim": "claim", "subject": "subject", "year": "year", "measure": "measure",
           "data": "data", "verdict": "verdict", "reason": "reason", "tolerance": "tolerance"},
    "ja": {"#": "#", "claim": "主張", "subject": "対象", "year": "年", "measure": "指標",
           "data": "データ", "verdict": "判定", "reason": "理由", "tolerance": "許容範囲"},
}
_WHY_JA = {
    "no_measure": "この数値を測る指標や出典付きの事実がありません",
    "competing": "複数の指標に当てはまり、どれを指すか決められません",
    "no_value": "該当する国・年の値がデータにありません",
    "no_year": "この数値の年が特定できません",
    "no_subject": "この数値の対象（国など）が特定できません",
    "no_quarter": "この数値の四半期が特定できません（データは四半期ごとの値です）",
    "state_not_country": "州の数値で、データは国ごとの値です",
    "unbound": "主張ファイルの項目から対象や年が決まりません",
    "no_indicator": "この指標はこのビルドのaiatlasにありません",
    "no_fact": "該当する出典付きの事実が記録されていません",
    "fact_unusable": "記録された事実と比べられません（値が未確認か、通貨が異なり為替換算はしません）",
    "fact_no_day": "記録された事実に日付がありません",
    "data_error": "データを読み込めず判定できません",
    "subset": "文中で定めた集合（上位○件など）の中の数で、その集合の中身を数えるデータはありません",
    "threshold": "規則の上限・基準値で、文中の対象の数値ではありません",
    "region_rank": "地域内（欧州など）での順位で、データは全ての国の中での順位です",
    "part_of_year": "1年の一部（半期・四半期・月など）の数値で、データは暦年ごとの値です",
    "change": "数値は水準ではなく変化（増減）を述べており、その変化を測る指標がありません",
    "no_such_name": "文中の名前（ベンチマークなど）はこの指標のデータにありません",
    "per_other": "1人あたり・100万人あたり以外の人数あたりの数値で、データにはありません",
    "negated": "文は数値そのものを否定しており（○○ではない）、データでは確かめられません",
}
# why a number is no claim (extract.py), in Japanese
SKIPPED_JA = {
    "a month: a date, not a quantity": "月を表す数で、数量ではありません",
    "a range of months: the time of a claim, not a claim": "月の範囲で、主張の時期です",
    "a number word without a unit or noun": "単位や名詞のない数詞です",
    "a range of years: the time of a claim, not a claim": "年の範囲で、主張の時期です",
    "a reference number (section, figure, version...)": "参照番号（章、図、版など）です",
    "a span of time a plan runs over, not a claim": "計画の期間で、主張ではありません",
    "a time back from now (N years ago): a date, not a quantity": "現在から遡る時期（○年前）で、数量ではありません",
    "a time counted on from another (N years later): a date, not a quantity": "別の時点から数えた時期（○年後）で、数量ではありません",
    "a year alone: the time of a claim, not a claim": "年だけの数で、主張の時期です",
    "an ordinal label (第N条/回/世代...)": "順序を表す名称（第○条・回・世代など）です",
    "defines a set (top N), not a claim": "集合を定める数（上位○件）で、主張ではありません",
    "defines a set (N of the M largest), not a claim": "集合を定める数（○件のうち△件の○）で、主張ではありません",
    "list numbering (enclosed numeral)": "箇条書きの番号（囲み数字）です",
    "list numbering": "箇条書きの番号です",
    "month and year: the time of a claim, not a claim": "年月で、主張の時期です",
    "a quarter and year: the time of a claim, not a claim": "年と四半期で、主張の時期です",
    "part of a name (letters glued to the digits)": "名称の一部（英字と続く数字）です",
    "part of a name (product)": "名称の一部（製品名）です",
    "no number with a unit or subject": "単位や対象のある数値がありません",
    "the number of people a figure is per (per 1,000 people, 人口100万人あたり), not a claim":
        "「人口○人あたり」の人数で、主張ではありません",
}
_TYPES_JA = {"model": "モデル名", "benchmark": "ベンチマーク名", "publication": "資料名",
             "product": "製品名"}
LABELS = {  # words around the verdicts in Markdown, HTML and the terminal table
    "en": {"title": "Claim check", "claims_in": "claims in", "evidence": "evidence",
           "skipped": "skipped", "tolerance": "tolerance", "rows": "rows",
           "snapshots": "snapshots", "fact": "fact", "no_claim": "no claim",
           "dated": "article dated"},
    "ja": {"title": "数値の検証", "claims_in": "数値の主張", "evidence": "根拠",
           "skipped": "対象外", "tolerance": "許容範囲", "rows": "行", "snapshots": "スナップショット",
           "fact": "事実", "no_claim": "主張なし", "dated": "記事の日付"},
}


def skipped(reason: str, lang: str) -> str:
    """Why a number is no claim, in the reader's language."""
    if lang != "ja":
        return reason
    m = re.fullmatch(r"part of a name \((\w+)\)", reason)
    if m:
        return f"名称の一部（{_TYPES_JA.get(m.group(1), '名称')}）です"
    return SKIPPED_JA.get(reason, "主張ではない数です")


def note(skips: list[str], lang: str) -> str:
    """Why a sentence has no claim: its skipped numbers' reasons, or that none has a unit."""
    reasons = sorted({skipped(r, lang) for r in skips}) or [
        skipped("no number with a unit or subject", lang)]
    return ("主張なし: " + "、".join(reasons)) if lang == "ja" else "no claim: " + "; ".join(reasons)


def lang_of(cc: CheckedClaim) -> str:
    """The reader's language for a claim: Japanese for Japanese (and Chinese) sentences."""
    return "ja" if cc.claim.lang in ("ja", "zh") else "en"


@functools.lru_cache(maxsize=512)
def subject_name(ident: str, lang: str) -> str:
    """A subject id (ISO3, US-TX, an organization id; 'USA/CHN' for a ratio's two) in the
    reader's language."""
    if not ident:
        return ""
    if "/" in ident:
        return "/".join(subject_name(part, lang) for part in ident.split("/"))
    info = gazetteer.default().info
    for (_type, key), entry in info.items():
        if key == ident and entry.get(lang):
            return str(entry[lang][0])
    country = pycountry.countries.get(alpha_3=ident)
    if country is None:
        return ident
    if lang == "ja":
        ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"], fallback=True)
        return ja.gettext(country.name)
    return getattr(country, "common_name", country.name)


def value(x: float | None, unit: str, lang: str) -> str:
    """A value with its unit: '57 models', '39.2%', '57件'."""
    if x is None:
        return ""
    if lang == "ja":
        return f"{human_ja(x)}{UNITS_JA.get(unit, unit) if unit != '%' else '%'}"
    shown = human(x)
    return f"{shown}%" if unit == "%" else f"{shown} {unit}".strip()


def reason(v: Verdict, lang: str) -> str:
    """The reason in the reader's language (the English one is kept in the JSON)."""
    if lang != "ja":
        return v.reason
    if v.reason_ja:
        return v.reason_ja
    data = value(v.actual, v.unit, "ja")
    when = f"（{v.as_of}時点のデータ）" if v.as_of else ""
    if v.reason_key == "date":
        day = re.search(r"\d{4}-\d{2}-\d{2}", v.reason)
        recorded = f"記録された日付は{day.group()}" if day else "記録された日付"
        return f"{recorded}で、記事と{'一致します' if v.verdict == 'supported' else '合いません'}"
    if v.verdict == "supported":
        return f"データでは{data}{when}" if data else f"データと一致します{when}"
    if v.verdict == "contradicted":
        return f"データでは{data}で、記事の数値と合いません{when}" if data else \
            "記録された値のどれとも合いません"
    if v.verdict == "revised":
        then = f"{v.as_of}時点のデータでは" + (f"{data}で" if data else "")
        latest = value(v.latest, v.unit, "ja")
        return (f"{then}記事と一致しますが、最新のデータでは" +
                (f"{latest}です" if latest else "異なります") + "（出典が数値を改訂）")
    if v.reason_key == "vintage_not_held":
        return f"記事が引用する資料のデータ版がなく判定できません（最新のデータでは{data}）"
    if v.reason_key == "no_year" and "fiscal" in v.reason:
        return "年度（会計年度）の数値で、データの暦年とは比べられません"
    if v.reason_key == "no_year" and "not a whole year" in v.reason:  # 'this year' of a dated article
        phrase, day = v.reason.split("'")[1], re.search(r"\d{4}-\d{2}-\d{2}", v.reason).group()
        return (f"「{phrase}」は記事の日付（{day}）の年かそれ以降で、書かれた時点では1年分のデータが"
                "まだありません")
    if v.reason_key == "no_year" and "article's date" in v.reason:
        phrase = v.reason.split("'")[1] if v.reason.count("'") >= 2 else ""
        return f"「{phrase}」がいつを指すかは記事の日付によりますが、本文に日付がありません"
    if v.reason_key in _WHY_JA:
        return _WHY_JA[v.reason_key]
    return "判定できません（理由の詳細は英語版とJSON出力にあります）"


def tolerance(v: Verdict, lang: str) -> str:
    """The allowance the verdict used, in the reader's language."""
    if lang != "ja":
        return v.tolerance
    return v.tolerance_ja or ("" if not v.tolerance else "許容範囲の説明は英語版にあります")


def describe(cc: CheckedClaim) -> dict[str, str]:
    """One reader row: claim, subject, year, measure, data (value, unit, as-of), verdict, reason."""
    lang, v = lang_of(cc), cc.verdict
    data = value(v.actual, v.unit, lang)
    if data and v.as_of:
        data += f"（{v.as_of}時点）" if lang == "ja" else f" (as of {v.as_of})"
    measure = v.titles.get(lang) or v.titles.get("en") or v.measure
    return {"claim": cc.claim.text, "subject": subject_name(v.subject, lang),
            "year": "" if v.year is None else str(v.year), "measure": measure, "data": data,
            "verdict": VERDICT[lang][v.verdict], "reason": reason(v, lang),
            "tolerance": tolerance(v, lang)}
