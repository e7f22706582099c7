"""What a reader sees of a verdict, in the article's language (English or Japanese)."""
from __future__ import annotations

import functools
import gettext

import pycountry

from aiatlas.claims import gazetteer
from aiatlas.claims.judge import human
from aiatlas.claims.model import CheckedClaim, Verdict

VERDICT = {
    "en": {"supported": "supported", "contradicted": "contradicted", "revised": "revised",
           "unverifiable": "unverifiable", "skipped": "no claim"},
    "ja": {"supported": "裏付けあり", "contradicted": "データと不一致", "revised": "データ改訂",
           "unverifiable": "検証不能", "skipped": "主張なし"},
}
COLUMNS = {
    "en": {"#": "#", "claim": "claim", "subject": "subject", "year": "year", "measure": "measure",
           "data": "data", "verdict": "verdict", "reason": "reason"},
    "ja": {"#": "#", "claim": "主張", "subject": "対象", "year": "年", "measure": "指標",
           "data": "データ", "verdict": "判定", "reason": "理由"},
}
_UNITS_JA = {"models": "件", "cases": "件", "units": "台", "robots": "台", "chips": "製品",
             "items": "件", "%": "%", "points": "ポイント", "months": "か月", "years": "年",
             "organizations": "社", "EUR": "ユーロ", "USD": "ドル", "CNY": "元", "JPY": "円"}
_WHY_JA = {
    "no_measure": "この数値を測る指標や出典付きの事実がありません",
    "competing": "複数の指標に当てはまり、どれを指すか決められません",
    "no_value": "該当する国・年の値がデータにありません",
    "no_year": "この数値の年が特定できません",
    "no_subject": "この数値の対象（国など）が特定できません",
}


def lang_of(cc: CheckedClaim) -> str:
    """The reader's language for a claim: Japanese for Japanese (and Chinese) sentences."""
    return "ja" if cc.claim.lang in ("ja", "zh") else "en"


@functools.lru_cache(maxsize=512)
def subject_name(ident: str, lang: str) -> str:
    """A subject id (ISO3, US-TX, an organization id) in the reader's language."""
    if not ident:
        return ""
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
    shown = human(x)
    if lang == "ja":
        return f"{shown}{_UNITS_JA.get(unit, unit)}"
    return f"{shown}%" if unit == "%" else f"{shown} {unit}".strip()


def reason(v: Verdict, lang: str) -> str:
    """The reason in the reader's language (the English one is kept in the JSON)."""
    if lang != "ja":
        return v.reason
    data = value(v.actual, v.unit, "ja")
    when = f"（{v.as_of}時点のデータ）" if v.as_of else ""
    if v.verdict == "supported":
        return f"データでは{data}{when}"
    if v.verdict == "contradicted":
        return f"データでは{data}で、記事の数値と合いません{when}" if data else \
            "記録された値のどれとも合いません"
    if v.verdict == "revised":
        return (f"{v.as_of}時点のデータでは{data}で記事と一致しますが、最新のデータでは"
                f"{value(v.latest, v.unit, 'ja')}です（出典が数値を改訂）")
    if v.reason_key == "vintage_not_held":
        return f"記事が引用する資料のデータ版がなく判定できません（最新のデータでは{data}）"
    if v.reason_key == "no_year" and "fiscal" in v.reason:
        return "年度（会計年度）の数値で、データの暦年とは比べられません"
    if v.reason_key == "no_year" and "article's date" in v.reason:
        phrase = v.reason.split("'")[1] if v.reason.count("'") >= 2 else ""
        return f"「{phrase}」がいつを指すかは記事の日付によりますが、本文に日付がありません"
    if v.reason_key.startswith("chip_export"):  # the rule's own words are English
        head = {"supported": "輸出規制の分類と一致", "contradicted": "輸出規制の分類と不一致"}.get(
            v.verdict, "判定できません")
        return f"{head}（{v.reason}）"
    if v.reason_key in _WHY_JA:
        return _WHY_JA[v.reason_key]
    return f"判定できません（{v.reason}）"


def describe(cc: CheckedClaim) -> dict[str, str]:
    """One reader row: claim, subject, year, measure, data (value, unit, as-of), verdict, reason."""
    lang, v = lang_of(cc), cc.verdict
    data = value(v.actual, v.unit, lang)
    if data and v.as_of:
        data += f"（{v.as_of}時点）" if lang == "ja" else f" (as of {v.as_of})"
    measure = v.titles.get(lang) or v.titles.get("en") or v.measure
    return {"claim": cc.claim.text, "subject": subject_name(v.subject, lang),
            "year": "" if v.year is None else str(v.year), "measure": measure, "data": data,
            "verdict": VERDICT[lang][v.verdict], "reason": reason(v, lang)}
