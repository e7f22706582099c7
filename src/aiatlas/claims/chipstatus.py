"""Claims about a named chip's US export-control status ('the H20 could be sold to China without
a licence until April 2025'), checked with the export_controls classification."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from aiatlas.claims import chipspec, gazetteer, words
from aiatlas.claims.model import Claim, Quantity, Verdict
from aiatlas.errors import AiatlasError

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_EN_DATE = re.compile(r"\b(until|till|before|through|from|since|after|in|by)?\s*(?:the\s+)?(" +
                      "|".join(_MONTHS) + r")\s+(\d{4})\b", re.I)
_JA_DATE = re.compile(r"(\d{4})年(\d{1,2})月(まで|以前|から|以降|に)?")
# words that say the licence was NOT needed / the chip sat under the thresholds ('free') ...
_FREE = re.compile(
    r"without (?:a |an |any )?(?:export )?licen[cs]e|licen[cs]e-free|no (?:export )?licen[cs]e"
    r"|(?:fall|fell|falls|stay|stayed|stays|sit|sat|sits|remain|remained) (?:just )?"
    r"(?:under|below|beneath|outside)|(?:below|under) the (?:\w+ )*?thresholds?"
    r"|not (?:subject to|covered by|controlled)|uncontrolled|could (?:still )?(?:legally )?"
    r"(?:be )?(?:sold|shipped|exported)|(?:designed|built|made|tailored) to (?:pass|comply with|"
    r"meet|stay within|get (?:under|around))|規制の対象外|規制に適合"
    r"|could (?:still )?(?:legally )?"
    r"(?:be )?(?:sold|shipped|exported)|許可なく|許可不要|ライセンス不要|ライセンスなし|規制対象外"
    r"|規制の対象外|基準を下回|基準未満|規制を回避|規制をかいくぐ|輸出できた|販売できた", re.I)
# 'the US tightened export controls on the A800', 'restricted exports of the H800', '輸出規制を強化':
# an act of the rules that brought the chip under them; its month is the rule set's
_ACTION = re.compile(
    r"\b(?:tighten(?:ed|s)?|impos(?:ed|es?)|extend(?:ed|s)?|expand(?:ed|s)?|plac(?:ed|es?)|put|appl(?:ied|ies|y))"
    r"\s+(?:new\s+|tighter\s+|stricter\s+|further\s+)?(?:export\s+)?(?:controls?|curbs|restrictions?|limits)"
    r"\s+(?:to\s+|on\s+|over\s+)|\brestrict(?:ed|s)?\s+(?:the\s+)?(?:exports?|sales?|shipments?)\s+of\b"
    r"|\bban(?:ned|s)?\s+(?:the\s+)?(?:exports?|sales?|shipments?)\s+of\b"
    r"|輸出(?:規制|管理)を(?:強化|拡大|拡充)|輸出を(?:規制|制限|禁止)|規制(?:の)?対象に(?:加え|追加)", re.I)
# ... and words that say it was needed / the chip was controlled ('required')
_REQUIRED = re.compile(
    r"(?:required|requires|require|needed|needs|need) (?:a |an )?(?:export )?licen[cs]e"
    r"|licen[cs]e requirement|\bbanned|\bbarred|(?:was|were|is|are|became) (?:subject to|covered"
    r" by|controlled)|exceed(?:s|ed)? the (?:\w+ )*?thresholds?|above the (?:\w+ )*?thresholds?"
    r"|許可が必要|ライセンスが必要|許可制|禁止|規制対象|規制の対象|基準を上回|基準を超|" + _ACTION.pattern, re.I)
# 'below the export threshold', '基準を下回る': a claim about the thresholds (the parametric
# status), which a per-chip notice or a destination does not change; a sentence that also speaks
# of a licence or of selling somewhere is a licence claim
_THRESHOLD_CLAIM = re.compile(r"thresholds?|基準|しきい値|閾値", re.I)
_LICENCE_WORDS = re.compile(r"licen[cs]e|\bsold\b|\bsell|\bship|export(?:ed|s)?\s+(?:to|into)\b|"
                            r"許可|ライセンス|輸出でき|販売でき|向け", re.I)
_RULE_WORDS = re.compile(r"thresholds?|rules?|controls|regulations?|基準|規制|規則", re.I)


# 'cannot be sold to China without a licence', '許可なしでは輸出できない': a denial of selling
# without a licence says a licence is needed (the 'without a licence' in it is no 'free')
_NEEDED_BY_DENIAL = re.compile(
    r"(?:cannot|can't|can not|could not|couldn't|may not|must not|not be (?:sold|shipped|exported)|"
    r"unable to|not allowed to|not permitted to)\b.{0,60}?without (?:a |an |any )?(?:export )?licen[cs]e|"
    r"without (?:a |an |any )?(?:export )?licen[cs]e.{0,40}?(?:cannot|can't|could not|couldn't|"
    r"(?:is|was|are|were) not (?:allowed|permitted))|"
    r"(?:許可|ライセンス)(?:なし|なく|無し)(?:で|に)?(?:は)?.{0,20}?(?:できない|できず|できなかった|不可|禁じ)|"
    r"無許可(?:で)?(?:は)?.{0,20}?(?:できない|できず|できなかった|不可)", re.I)


def find(sentence: str, lang: str, start: int) -> Claim | None:
    """The export-status claim of one sentence about its first chip (`find_all`)."""
    return next(iter(find_all(sentence, lang, start)), None)


def find_all(sentence: str, lang: str, start: int) -> list[Claim]:
    """The export-status claims of one sentence: a licence stated either way, for its first chip
    and for each chip listed with it ('the A800 and H800', 'A800やH800')."""
    norm, found = gazetteer.in_sentence(sentence)
    chips = [e for e in found if e.id == "chips"]
    if not chips:
        return []  # no chip named: no status claim (the licence words need not be read)
    denied = _NEEDED_BY_DENIAL.search(norm)
    free = None if denied else _FREE.search(norm)
    rest = _FREE.sub(" ", norm)  # '規制対象外' is not '規制対象'
    required = denied or _REQUIRED.search(rest)
    if (free is None) == (required is None):
        return []  # the sentence says neither (or both): not a status claim
    chips.sort(key=lambda e: e.start)
    listed = [chips[0]]
    for a, b in zip(chips, chips[1:]):
        if not _LIST_GAP.fullmatch(norm[a.end:b.start]):
            break
        listed.append(b)
    claims = []
    for chip in listed:
        claim = Claim(text=chip.text, start=start + chip.start, end=start + chip.end,
                      sentence=sentence, lang=lang, clause=norm,
                      quantity=Quantity(value=0.0 if free else 1.0, kind="status",
                                        unit="licence required"),
                      subjects=[chip, *(e for e in chips if e is not chip)] +
                      [e for e in found if e.type == "country"])
        claim.keywords = norm
        claims.append(claim)
    return claims


_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and|or|、|と|や|および|及び)\s*(?:the\s+|its\s+)?(?:NVIDIA\s+|Nvidia\s+)?",
                       re.I)


def _when(norm: str) -> tuple[dt.date | None, str]:
    """The day the claim speaks of, and the month-year phrase that gave it."""
    m = _EN_DATE.search(norm)
    if m:
        prep, month, year = (m.group(1) or "").lower(), _MONTHS[m.group(2).lower()], int(m.group(3))
        phrase = m.group(0).strip()
    else:
        j = _JA_DATE.search(norm)
        if j is None:
            return None, ""
        year, month, prep = int(j.group(1)), int(j.group(2)), {"まで": "until", "以前": "before"}.get(
            j.group(3) or "", "")
        phrase = j.group(0)
    if not 1 <= month <= 12:
        return None, ""
    if prep in ("until", "till", "before"):  # true up to that month: check its eve
        return dt.date(year, month, 1) - dt.timedelta(days=1), phrase
    return dt.date(year, month, calendar.monthrange(year, month)[1]), phrase


def _rule_set(norm: str, day: dt.date | None, phrase: str, rule_sets: list[dict[str, Any]]
              ) -> dict[str, Any] | None:
    """The rule set the sentence names by its month ('the October 2022 thresholds')."""
    if day is None or not (_RULE_WORDS.search(norm[norm.find(phrase) + len(phrase):][:40])
                           or _ACTION.search(norm)):
        return None
    month = (day + dt.timedelta(days=1)) if phrase.lower().startswith(("until", "till", "before")) \
        else day
    # 'the October 2023 rules' were published in October 2023 and took effect in November
    return next((rs for rs in rule_sets if month.isoformat()[:7] in (
        str(rs["effective"])[:7], str(rs.get("published") or "")[:7])), None)


# '2023年10月の規制が施行されるまで', '2023年10月の規則以前': the time before the rule set named
_BEFORE_RULE_JA = re.compile(r"^の?\s?[^、。]{0,6}?(?:規制|規則|ルール)(?:が(?:施行|発効)され(?:る|た))?\s?"
                             r"(?:まで|以前|の前|前)")


def _before_rule(norm: str, phrase: str) -> bool:
    """Whether the sentence speaks of the time before the rule set it names ('until the October
    2023 rules took effect', 'prior to the October 2023 rules', '2023年10月の規制まで')."""
    at = norm.find(phrase)
    return phrase.lower().startswith(("until", "till", "before")) or bool(
        re.search(r"\bprior\sto\s(?:the\s)?$", norm[:at], re.I) or
        _BEFORE_RULE_JA.match(norm[at + len(phrase):]))


def _rule_before(rs: dict[str, Any], rule_sets: list[dict[str, Any]]
                 ) -> tuple[dict[str, Any] | None, dt.date | None]:
    """The enforced rule set in force before rs took effect, else (no rule yet) the eve of rs."""
    earlier = sorted((r for r in rule_sets if r.get("enforced", True) and
                      str(r["effective"]) < str(rs["effective"])), key=lambda r: str(r["effective"]))
    if earlier:
        return earlier[-1], None
    return None, dt.date.fromisoformat(str(rs["effective"])[:10]) - dt.timedelta(days=1)


def _periods(norm: str, day: dt.date | None, phrase: str, rs: dict[str, Any] | None,
             rule_sets: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """The rule dates a claim may mean: (English label, Japanese label, classify arguments).

    A named rule set or a stated date give one. A sentence with a year only ('in 2023') gives
    every enforced rule set in force during that year, and 'no rule yet' when the year began
    before the first; a sentence with no date gives every enforced rule set. The claim is
    decided only when they all agree.
    """
    if rs is not None:
        return [(f"under {rs['id']}", _rule_ja(rs), {"rules": rs["id"], "rules_as_of": None})]
    if day is not None:
        return [(f"on {day.isoformat()} ('{phrase}')", f"{day.isoformat()}時点（「{phrase}」）",
                 {"rules": None, "rules_as_of": day.isoformat()})]
    enforced = sorted((r for r in rule_sets if r.get("enforced", True)),
                      key=lambda r: str(r["effective"]))
    years = set(_YEAR.findall(norm))
    now = [r for r in enforced if not r.get("superseded")]
    if not years and now and _present(norm):  # 'is controlled', '必要だ': the rules in force today
        r = now[-1]
        return [(f"under {r['id']} (in force today; the sentence is in the present tense)",
                 _rule_ja(r) + "（現在形の文: 現行の規則）", {"rules": r["id"], "rules_as_of": None})]
    lo, hi = (f"{min(years)}-01-01", f"{max(years)}-12-31") if len(years) == 1 else ("", "9999")
    out = [(f"under {r['id']} (in force {r['effective']} to {r.get('superseded') or 'today'})",
            _rule_ja(r), {"rules": r["id"], "rules_as_of": _last_day(r, hi) if lo else None})
           for r in enforced
           if str(r["effective"]) <= hi and (not r.get("superseded") or str(r["superseded"]) > lo)]
    if lo and enforced and lo < str(enforced[0]["effective"]):
        out.insert(0, (f"on {lo}, before the first rule ({enforced[0]['effective']})",
                       f"{lo}時点（最初の規則の施行前）", {"rules": None, "rules_as_of": lo}))
    return out


def _last_day(rs: dict[str, Any], year_end: str) -> str:
    """The last day of the year a sentence names on which rs was in force: a notice dated after
    that year ('in 2024': the H20 letter of April 2025) does not bind the claim."""
    end = year_end
    if rs.get("superseded"):
        eve = (dt.date.fromisoformat(str(rs["superseded"])[:10]) - dt.timedelta(days=1)).isoformat()
        end = min(end, eve)
    return end


def _rule_ja(rs: dict[str, Any]) -> str:
    eff = str(rs["effective"])
    return f"{eff[:4]}年{int(eff[5:7])}月施行の規則"


def _destinations(claim: Claim) -> list[str]:
    """The countries a chip goes to: those marked as such ('to China', 'for China', '中国向け',
    '中国へ'), else every country named but the United States when it is named first, as the
    exporter ('The US required a licence to export the H20 ...')."""
    sent, ents = gazetteer.in_sentence(claim.sentence)
    named = [e for e in ents if e.type == "country" and e.id != "WLD"]
    marked: set[str] = set()
    for i, e in enumerate(named):
        if re.search(r"\b(?:to|for|into)\s(?:the\s)?$", sent[:e.start], re.IGNORECASE) or \
                re.match(r"\s?(?:向け|へ|への|に向け)", sent[e.end:]):
            marked.add(e.id)
            run = named[:i][::-1]  # 'to China and Russia', '中国やロシア向け': the whole list
            after = named[i + 1:]
            for a, b in [(x, y) for x, y in zip([e, *after], after)] + \
                    [(y, x) for x, y in zip([e, *run], run)]:
                if not re.fullmatch(r"\s*(?:,|、|and|or|と|や|および|及び)?\s*(?:the\s)?", sent[a.end:b.start]
                                    if a.end <= b.start else sent[b.end:a.start], re.IGNORECASE):
                    break
                marked.add(b.id)
    if marked:
        return sorted(marked)
    ids = list(dict.fromkeys(e.id for e in named))
    if ids and ids[0] == "USA":  # the exporter, unless marked as where the chip goes
        ids = ids[1:]
        if not ids:
            return []
    return sorted(set(ids)) or sorted({e.id for e in claim.subjects if e.type == "country"})


def judge(claim: Claim, data) -> Verdict:
    """Classify every variant the chip's name may mean under every rule date the claim may
    mean, and compare the licence status; disagreeing readings are unverifiable, with each."""
    norm = claim.clause
    chip = claim.text
    day, phrase = _when(norm)
    if _THRESHOLD_CLAIM.search(norm) and not _LICENCE_WORDS.search(norm):
        return _judge_thresholds(claim, data, day, phrase)
    countries = _destinations(claim)
    if len(countries) > 1:
        return _unsure(f"the sentence names several destinations ({', '.join(countries)})", chip,
                       f"複数の仕向け国が挙がっています（{'、'.join(countries)}）")
    dest = countries[0] if countries else None
    readings = _readings(claim, data, day, phrase, dest)
    if isinstance(readings, Verdict):
        return readings
    notices = sorted({n for *_, got in readings for n in got.get("notices") or []})
    if dest is None and notices:  # a notice binds some destinations only
        return _unsure(f"{chip}: a notice applies to some destinations and the sentence names "
                       f"none ({'; '.join(notices)})", chip,
                       "一部の仕向け国にだけ適用される通知があり、文は仕向け国を挙げていません")
    unknown = [r for r in readings if r[3] is None]
    if unknown:
        en, ja, name, _, got = unknown[0]
        return _unsure(f"{name} {en}: cannot tell ({got.get('reason')})", chip,
                       f"{name}は{ja}で規制対象か判定できません（必要な仕様の値がありません）")
    to, to_ja = (f" to {dest}", f"{words.subject_name(dest, 'ja')}向けは") if dest else (
        " (no destination named: controlled or not)", "（仕向け国の記載なし: 規制対象か否か）")
    if len({r[3] for r in readings}) > 1:
        return _ambiguous(readings, chip, to, to_ja)
    needed = readings[0][3]
    said, said_ja = ("licence required", "輸出許可が必要") if needed else (
        "no licence required", "輸出許可は不要")
    verdict = "supported" if bool(claim.quantity.value) == needed else "contradicted"
    names = ", ".join(sorted({r[2] for r in readings}))
    whens = "; ".join(sorted({r[0] for r in readings}))
    whens_ja = "、".join(sorted({r[1] for r in readings}))
    first = {}  # one classification's words per rule date: the variants agree
    for r in readings:
        first.setdefault(r[0], str(r[4].get("reason")))
    reasons = "; ".join(first.values())
    # what decides comes first: a notice binding where the thresholds do not, else the rule
    by_notice = needed and notices and all(str(r[4].get("status")) == "not controlled" for r in readings)
    why = (f"{said} by notice {'; '.join(notices)}, although below the rule's thresholds ({reasons})"
           if by_notice else f"{said} — {reasons}" + (f"; notice {'; '.join(notices)}" if notices else ""))
    v = Verdict(verdict, f"{names}{to} {whens}: {why}",
                reason_key="chip_export", subject=names, measure="US export-control status "
                "(ECCN 3A090)", titles=_TITLES,
                tolerance="the rule set's thresholds, as classified by `aiatlas chips classify`",
                tolerance_ja="規則の基準値による分類（`aiatlas chips classify`）")
    head = "輸出規制の分類と一致" if verdict == "supported" else "輸出規制の分類と不一致"
    v.reason_ja = f"{head}: {names}は{whens_ja}で{to_ja}{said_ja}"
    return v


def _readings(claim: Claim, data, day: dt.date | None, phrase: str,
              dest: str | None) -> list[tuple] | Verdict:
    """Every variant the chip's name may mean, classified under every rule date the sentence
    may mean: (period label en, ja, variant name, licence needed or None, classification); or
    why none can be (no table, no such chip, a classification error)."""
    norm, chip = claim.clause, claim.text
    try:
        rows = chipspec.variants(data.hardware(), chip, claim.sentence)
    except AiatlasError as e:  # no warehouse built: say so instead of failing the report
        return _unsure(str(e), chip, "ハードウェア表を読み込めず判定できません")
    if not rows:
        return _unsure(f"no accelerator named {chip!r} in the hardware table", chip,
                       f"ハードウェア表に「{chip}」という名前のアクセラレータがありません")
    rs = _rule_set(norm, day, phrase, data.rule_sets())
    if rs is not None and _before_rule(norm, phrase):  # 'until the October 2023 rules took effect'
        rs, day = _rule_before(rs, data.rule_sets())
    readings = []
    try:
        for en, ja, kw in _periods(norm, day, phrase, rs, data.rule_sets()):
            for row in rows:
                got = data.chip(row["name"], destination=dest, **kw)
                readings.append((en, ja, got["name"], _needed(got, dest), got))
    except AiatlasError as e:
        return _unsure(f"{e}{'; ' + e.hint if getattr(e, 'hint', '') else ''}", chip,
                       "チップの分類ができません")
    return readings


def _judge_thresholds(claim: Claim, data, day: dt.date | None, phrase: str) -> Verdict:
    """A claim that a chip is above or below the thresholds: its parametric status under every
    rule date the sentence may mean, whatever notices or destinations say about licences."""
    chip = claim.text
    readings = _readings(claim, data, day, phrase, None)
    if isinstance(readings, Verdict):
        return readings
    unknown = [r for r in readings if r[3] is None]
    if unknown:
        en, ja, name, _, got = unknown[0]
        return _unsure(f"{name} {en}: cannot tell whether it is above or below the thresholds "
                       f"({got.get('reason')})", chip,
                       f"{name}は{ja}で基準を上回るか判定できません（必要な仕様の値がありません）")
    if len({r[3] for r in readings}) > 1:
        return _ambiguous(readings, chip, " (above or below the thresholds)", "（基準との比較）")
    above = readings[0][3]
    said, said_ja = ("above the thresholds (controlled)", "基準を上回る（規制対象）") if above else (
        "below the thresholds (not controlled)", "基準を下回る（規制対象外）")
    verdict = "supported" if bool(claim.quantity.value) == above else "contradicted"
    names = ", ".join(sorted({r[2] for r in readings}))
    first: dict[str, str] = {}
    for r in readings:
        first.setdefault(r[0], str(r[4].get("reason")))
    notices = sorted({n for *_, got in readings for n in got.get("notices") or []})
    aside = (f"; licences aside: notice {'; '.join(notices)}" if notices else "")
    v = Verdict(verdict, f"{names} {'; '.join(sorted(first))}: {said} — "
                f"{'; '.join(first.values())}{aside}", reason_key="chip_export", subject=names,
                measure="US export-control status (ECCN 3A090)", titles=_TITLES,
                tolerance="the rule set's thresholds, as classified by `aiatlas chips classify`",
                tolerance_ja="規則の基準値による分類（`aiatlas chips classify`）")
    head = "輸出規制の分類と一致" if verdict == "supported" else "輸出規制の分類と不一致"
    v.reason_ja = f"{head}: {names}は{'、'.join(sorted({r[1] for r in readings}))}で{said_ja}"
    return v


def _needed(got: dict[str, Any], dest: str | None) -> bool | None:
    """Whether the classification says a licence is needed (to dest, or controlled at all)."""
    needed, controlled = got.get("licence_required"), got.get("status")
    if dest is None or needed is None:
        return None if controlled in (None, "indeterminate") else controlled != "not controlled"
    return bool(needed)


def _ambiguous(readings, chip: str, to: str, to_ja: str) -> Verdict:
    """Readings that disagree: by rule date ('depends on the rule date') or by variant."""
    by_period: dict[str, set] = {}
    for en, _, _, needed, _ in readings:
        by_period.setdefault(en, set()).add(needed)
    if any(len(v) > 1 for v in by_period.values()):
        shown = "; ".join(f"{name} {en}: {'licence required' if n else 'no licence required'}"
                          for en, _, name, n, _ in readings)
        return _unsure(f"'{chip}' names variants whose status differs ({shown}): the sentence "
                       "does not say which", chip,
                       f"「{chip}」には規制上の扱いが異なる複数の型番があり、文からどれか決められません")
    seen, en_parts, ja_parts = set(), [], []
    for en, ja, _, n, _ in readings:
        if en not in seen:
            seen.add(en)
            en_parts.append(f"{en}: {'licence required' if n else 'no licence required'}")
            ja_parts.append(f"{ja}では{'輸出許可が必要' if n else '輸出許可は不要'}")
    v = _unsure(f"ambiguous: depends on the rule date{to} — " + "; ".join(en_parts), chip,
                f"曖昧: 規則の時期によって異なります（{to_ja}" + "、".join(ja_parts) + "）")
    v.reason_key = "chip_export_ambiguous"
    return v


_TITLES = {"en": "US export-control status", "ja": "米国の輸出規制上の扱い"}
_EN_PRESENT = re.compile(r"\b(?:is|are|remains?|stays?|requires|needs|falls?|can(?:not)?|can't|may)\b", re.I)
_EN_PAST = re.compile(r"\b(?:was|were|became|had|could|did|used to|required|needed|fell)\b", re.I)
_JA_PAST = re.compile(r"(?:た|だった|でした|ました|であった)(?:[。．.！!」』）)\s])*$")
_JA_NOW = re.compile(r"現在|現行|今は")


def _present(norm: str) -> bool:
    """A sentence in the present tense speaks of the rules in force today."""
    if _JA_NOW.search(norm):
        return True
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", norm):
        return _JA_PAST.search(norm.strip()) is None
    return bool(_EN_PRESENT.search(norm)) and not _EN_PAST.search(norm)


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _unsure(why: str, chip: str, why_ja: str) -> Verdict:
    v = Verdict("unverifiable", why, reason_key="chip_export_unsure", subject=chip, titles=_TITLES)
    v.reason_ja = why_ja
    return v
