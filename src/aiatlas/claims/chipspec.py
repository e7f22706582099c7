"""Claims about a named chip's specification (TFLOPS at a precision, TOPS, TPP, memory, memory
bandwidth, die area, launch price), fitted to the unit and compared with the hardware table."""
from __future__ import annotations

import functools
import re
from typing import Any

from aiatlas.claims import gazetteer
from aiatlas.claims.judge import compare
from aiatlas.claims.model import Claim, Evidence, Verdict
from aiatlas.claims.precision import Slack
from aiatlas.errors import AiatlasError

_PREFIX = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
_FLOPS = re.compile(r"^([GTPE]?)FLOP(?:S|/s)$")
_OPS = re.compile(r"^([GTP]?)OPS$")
_BYTES = re.compile(r"^([GT])B$")
# precision named in the sentence -> hardware column; INT precisions are counted in OPS.
# re.A: 'のFP16性能' has no Unicode word boundary before FP16, an ASCII one
_PRECISION = [(re.compile(r"\bFP4\b", re.I | re.A), "fp4_flops", "FP4"),
              (re.compile(r"\bFP8\b", re.I | re.A), "fp8_flops", "FP8"),
              (re.compile(r"\b(?:FP16|BF16)\b|half[- ]precision|半精度", re.I | re.A),
               "fp16_tensor_flops", "FP16/BF16 tensor (dense)"),
              (re.compile(r"\bTF32\b", re.I | re.A), "tf32_flops", "TF32"),
              (re.compile(r"\bFP32\b|single[- ]precision|単精度", re.I | re.A), "fp32_flops", "FP32"),
              (re.compile(r"\bFP64\b|double[- ]precision|倍精度", re.I | re.A), "fp64_flops", "FP64")]
_INT = [(re.compile(r"\bINT8\b", re.I | re.A), "int8_ops", "INT8"),
        (re.compile(r"\bINT4\b", re.I | re.A), "int4_ops", "INT4")]
# a figure 'with sparsity' is twice the dense one the table holds ('3,958 TFLOPS of FP8 with
# sparsity' is the H100's 1,979 dense); 'without sparsity', 'dense' are dense
_SPARSE = re.compile(r"sparse|sparsity|\b2:4\b|疎|スパース", re.I)
_DENSE = re.compile(r"\bdense\b|without sparsity|w/o sparsity|no sparsity|non-?sparse|密(?!度)|デンス", re.I)
_TPP = re.compile(r"\bTPP\b|total processing performance|総合処理性能", re.I | re.A)
_PD = re.compile(r"performance density|\bPD\b|性能密度", re.I | re.A)
_WATTS = re.compile(r"^([kM]?)W$")
_TRANSISTORS = re.compile(r"transistors?|トランジスタ", re.I)
# process names are marketing labels of node families: TSMC N4 is a 5 nm-class process
NODE_FAMILIES = ((3,), (4, 5), (6, 7), (8, 10), (12, 14, 16), (20, 22), (28,))
_PRICE = re.compile(r"\bpric|\bcost|\bsold for|\bsells for|価格|値段|販売価格", re.I)


def chip_of(claim: Claim) -> str | None:
    """The one chip the claim's sentence names (None when none or several)."""
    names = {e.text for e in gazetteer.in_sentence(claim.sentence)[1]
             if e.id == "chips"}
    return names.pop() if len(names) == 1 else None


def measure(claim: Claim) -> tuple[str | None, float, tuple[str, str]]:
    """(hardware column, factor from the claim's unit to the column's, words in en and ja);
    column None with the reason (en, ja) when the unit or precision does not fit; '' when it is
    no spec claim."""
    q, sent = claim.quantity, gazetteer.in_sentence(claim.sentence)[0]
    after = sent[sent.find(claim.text) + len(claim.text):][:3] if claim.text in sent else ""
    if (m := _FLOPS.match(q.unit)):
        ints = [w for rx, _, w in _INT if rx.search(sent)]
        hits = [(c, w) for rx, c, w in _PRECISION if rx.search(sent)]
        if ints and not hits:
            return None, 0, (f"{ints[0]} is counted in OPS (TOPS), the claim says {q.unit}",
                             f"{ints[0]}の性能はOPS（TOPS）で数えますが、記事は{q.unit}です")
        if len(hits) != 1:
            return None, 0, (("the sentence states no precision (FP8, FP16, ...) for the FLOPS",
                              "FLOPSの精度（FP8、FP16など）が書かれていません") if not hits else
                             ("the sentence names several precisions", "複数の精度が挙がっています"))
        label = hits[0][1]
        if _sparse(sent, claim.text):
            return hits[0][0], _PREFIX[m.group(1)] / 2, (
                f"{label.replace(' (dense)', '')} FLOP/s with sparsity (twice the dense figure)",
                label.replace(" tensor (dense)", "（テンソル）") + "演算性能（スパース: 密の2倍）")
        return hits[0][0], _PREFIX[m.group(1)], (f"{label} FLOP/s", label.replace(
            " tensor (dense)", "（テンソル・密）") + "演算性能")
    if (m := _OPS.match(q.unit)):
        hits = [(c, w) for rx, c, w in _INT if rx.search(sent)]
        if len(hits) != 1:
            return None, 0, ("the sentence states no integer precision (INT8, INT4) for the OPS",
                             "OPSの整数精度（INT8、INT4）が書かれていません")
        if _sparse(sent, claim.text):
            return hits[0][0], _PREFIX[m.group(1)] / 2, (
                f"{hits[0][1]} OP/s with sparsity (twice the dense figure)",
                f"{hits[0][1]}演算性能（スパース: 密の2倍）")
        return hits[0][0], _PREFIX[m.group(1)], (f"{hits[0][1]} OP/s", f"{hits[0][1]}演算性能")
    if (m := _BYTES.match(q.unit)):
        if after.startswith(("/s", "/秒", "ps")) and _io_bandwidth(claim):
            return "intranode_bandwidth_bytes_s", _PREFIX[m.group(1)], (
                "I/O (interconnect) bandwidth (bytes/s)", "入出力（インターコネクト）帯域幅")
        if after.startswith(("/s", "/秒", "ps")):
            return "memory_bandwidth_bytes_s", _PREFIX[m.group(1)], ("memory bandwidth (bytes/s)",
                                                                     "メモリ帯域幅")
        return "memory_bytes", _PREFIX[m.group(1)], ("memory (bytes)", "メモリ容量")
    if q.unit == "mm2":
        return "die_size_mm2", 1.0, ("die area (mm²)", "ダイ面積")
    if (m := _WATTS.match(q.unit)):
        return "tdp_w", _PREFIX[m.group(1)], ("thermal design power (TDP, W)", "熱設計電力（TDP）")
    if q.unit == "nm":
        return "process_nm", 1.0, ("process node (nm)", "製造プロセス")
    if q.kind in ("count", "number") and q.unit in ("transistors", "items", "") and \
            _TRANSISTORS.search(sent):
        return "transistors_millions", 1e-6, ("transistor count", "トランジスタ数")
    if q.kind == "money" and _PRICE.search(sent):
        if q.currency != "USD":
            return None, 0, (f"the table gives launch prices in USD, the claim is in {q.currency}",
                             f"表の発売価格は米ドル建てで、記事は{q.currency}建てです")
        return "release_price_usd", 1.0, ("launch price (USD)", "発売価格（米ドル）")
    if q.kind == "number" and not q.unit and _PD.search(sent):  # the rules' PD: TPP / die area
        return "performance_density", 1.0, ("performance density (TPP / die area in mm²)",
                                            "性能密度（TPP÷ダイ面積mm²）")
    if q.kind == "number" and not q.unit and _TPP.search(sent):
        return "tpp_published", 1e12, ("total processing performance (TPP)", "総合処理性能（TPP）")
    return "", 0, ("", "")


def _sparse(sentence: str, figure: str = "") -> bool:
    """Whether the figure is a sparse one (the table's dense figure is compared doubled): the
    words between it and the figures around it say so ('密で1,979 TFLOPS、疎で3,958 TFLOPS'),
    else the sentence when it says only one of the two."""
    at = sentence.find(figure) if figure else -1
    if at >= 0:
        near = re.split(r"\d", sentence[:at])[-1] + re.split(r"\d", sentence[at + len(figure):])[0]
        if _SPARSE.search(near) or _DENSE.search(near):
            return bool(_SPARSE.search(near)) and not _DENSE.search(near)
    return bool(_SPARSE.search(sentence)) and not _DENSE.search(sentence)


_IO = re.compile(r"interconnect|\bi/o\b|input/output|chip-to-chip|nvlink|infinity fabric|"
                 r"インターコネクト|入出力|チップ間|相互接続", re.I)
_MEMORY = re.compile(r"memory|hbm|メモリ", re.I)


def _io_bandwidth(claim: Claim) -> bool:
    """The figure's clause speaks of the chip's interconnect (I/O, chip-to-chip, NVLink), not its
    memory: the nearer of the two words before the figure decides, else the clause's only one."""
    clause = claim.clause or claim.sentence
    at = clause.find(claim.text) if claim.text in clause else len(clause)
    io = [m.end() for m in _IO.finditer(clause[:at])]
    mem = [m.end() for m in _MEMORY.finditer(clause[:at])]
    if io or mem:
        return max(io, default=-1) > max(mem, default=-1)
    return bool(_IO.search(clause)) and not _MEMORY.search(clause)


def variants(rows: list[dict[str, Any]], chip: str, sentence: str) -> list[dict[str, Any]]:
    """Rows whose name holds the chip as a word, narrowed by any variant words the sentence adds
    ('H100 SXM5', 'A800 PCIe'): every variant the sentence may mean."""
    hits = [rows[i] for i in _matching(tuple(r.get("name") or "" for r in rows), _glued(chip))]
    low = _glued(chip)
    words = set(re.findall(r"[a-z0-9]+", sentence.lower())) - {low}
    narrowed = [r for r in hits if words & (set(re.findall(r"[a-z0-9]+", r["name"].lower())) -
                                            {low, "nvidia", "huawei", "amd", "intel", "google"})]
    return narrowed or hits


@functools.lru_cache(maxsize=256)
def _matching(names: tuple[str, ...], chip: str) -> tuple[int, ...]:
    """The rows (by index) a chip name means: as a word (or a glued SKU), else as a substring.
    Asked once per table and name: a long article names the same chips many times."""
    return tuple(i for i, n in enumerate(names) if _names(n, chip)) or tuple(
        i for i, n in enumerate(names) if chip in _glued(n))


def _names(name: str, chip: str) -> bool:
    """Whether a table name holds the chip as a word, or as a word with a SKU number glued to a
    name ending in a letter ('Ascend 910B' names the 910B1, 910B2 ... as well; 'H20' never names
    'H200')."""
    padded = f" {_glued(name)} "
    if f" {chip} " in padded:
        return True
    if not chip[-1:].isalpha():
        return False
    at = padded.find(f" {chip}")
    while at >= 0:  # ' 910b' followed by digits and then a space or '(': '910B1 (v1)'
        end = at + 1 + len(chip)
        digits = len(padded[end:]) - len(padded[end:].lstrip("0123456789"))
        if digits and padded[end + digits] in " (":
            return True
        at = padded.find(f" {chip}", at + 1)
    return False


@functools.lru_cache(maxsize=4096)
def _glued(name: str) -> str:
    """A chip name as compared: lower case, a generation number glued to its word ('Gaudi 2'
    and the table's 'Gaudi2' alike; 'Ascend 910B' keeps its space before letters)."""
    return re.sub(r"(?<=[a-z])\s+(?=\d)", "", name.lower())


def tolerance(claim: Claim) -> Slack:
    """The table's figures are rounded datasheet values: 1% slack. The claim's own digits add
    their rounding ('4 TB/s' stands for 3.5 to 4.5, '3.35' for 3.345 to 3.355; precision.py)."""
    return Slack(rel=0.01)


def judge(claim: Claim, chip: str, column: str | None, factor: float, words: tuple[str, str],
          data) -> Verdict:
    """Compare the claimed figure with the chip's row(s); several variants must agree."""
    en, ja = words
    titles = {"en": f"chip specification: {en}", "ja": f"チップの仕様: {ja}"}

    def unsure(why: str, why_ja: str) -> Verdict:
        v = Verdict("unverifiable", why, reason_key="chip_spec", subject=chip, titles=titles)
        v.reason_ja = why_ja
        return v

    if column is None:
        return unsure(en, ja)
    try:
        rows = variants(data.hardware(), chip, claim.sentence)
    except AiatlasError as e:  # no warehouse built: say so instead of failing the report
        return unsure(str(e), "ハードウェア表を読み込めず判定できません")
    if not rows:
        return unsure(f"no accelerator named {chip!r} in the hardware table",
                      f"ハードウェア表に「{chip}」という名前のアクセラレータがありません")
    values = {r["name"]: _value(r, column) / factor for r in rows if _value(r, column) is not None}
    if not values:
        return unsure(f"the hardware table has no {en} for " + "; ".join(r["name"] for r in rows),
                      f"ハードウェア表に{'、'.join(r['name'] for r in rows)}の{ja}の値がありません")
    if max(values.values()) - min(values.values()) > 1e-9 * max(map(abs, values.values())):
        listed = "; ".join(f"{n} {v:,.4g}" for n, v in values.items())
        return unsure(f"'{chip}' names {len(values)} variants whose {en} differ ({listed}): the "
                      "sentence does not say which",
                      f"「{chip}」には{ja}の異なる{len(values)}つの型番があり、文からどれか決められません"
                      f"（{listed}）")
    names = ", ".join(values)
    ev = Evidence(kind="indicator", ref="hardware", where={"name": names}, row_count=len(values),
                  rows=[{"name": n, column: _value(r, column)} for n, r in
                        ((r["name"], r) for r in rows) if n in values][:5],
                  command=f"aiatlas chips classify '{chip}'")
    if column == "transistors_millions":
        claim.quantity.unit = "transistors"  # '800億個': the counter says items
    if column in ("memory_bandwidth_bytes_s", "intranode_bandwidth_bytes_s") and not claim.quantity.unit.endswith("/s"):
        claim.quantity.unit += "/s"  # the extractor reads 'TB'; the claim said 'TB/s'
    actual = next(iter(values.values()))
    if column == "process_nm":
        v = _same_node(claim, actual, [ev])
    else:
        v = compare(claim.quantity, actual, tolerance(claim), [ev])
    v.reason = f"{names}: {en} — {v.reason} (Epoch ml_hardware with the chips supplement)"
    v.subject, v.titles, v.measure, v.reason_key = names, titles, en, "chip_spec"
    v.unit = claim.quantity.unit
    return v


def _value(row: dict[str, Any], column: str) -> float | None:
    """A row's figure; performance density is derived as the rules define it: TPP / die area."""
    if column != "performance_density":
        return row.get(column)
    tpp, area = row.get("tpp_published"), row.get("die_size_mm2")
    return tpp / 1e12 / area if tpp and area else None


def _same_node(claim: Claim, actual: float, evidence: list[Evidence]) -> Verdict:
    """A process node is a family, not a measurement: '4nm' names TSMC N4, a 5 nm-class process."""
    def family(nm: float) -> tuple:
        return next((f for f in NODE_FAMILIES if nm in f), (nm,))

    claimed = claim.quantity.value
    ok = family(claimed) == family(actual)
    fam = "/".join(f"{n:g}" for n in family(actual))
    v = Verdict("supported" if ok else "contradicted",
                f"the data says {actual:g} nm" + ("" if ok else f" (claimed {claimed:g} nm)"),
                tolerance=f"same node family ({fam} nm)",
                tolerance_ja=f"同じプロセス世代（{fam} nm）", actual=actual,
                gap=claimed - actual, evidence=evidence)
    return v
