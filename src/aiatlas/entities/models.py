"""One canonical model identity across Epoch models, Epoch model versions, benchmark rows and LMArena keys.

Resolution is rules first (normalize, then strip dates, `-latest`, `-instruct`, effort and
precision suffixes one at a time), then the hand-written alias table `model_aliases.csv` for
what rules cannot resolve. Attributes come from the Epoch record when there is one, then the
LMArena licence, then organization-level defaults (`model_families.csv`, marked `org_default`).
Everything here is plain Python over rows, so the build can call it and tests can pin it.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from aiatlas.sources.base import package_file_row

# openness classes: open_unrestricted, open_restricted, api, unreleased, unknown
OPEN = ("open_unrestricted", "open_restricted")

# Epoch `Model accessibility` -> openness class.
ACCESSIBILITY = {
    "open weights (unrestricted)": "open_unrestricted",
    "open weights (restricted use)": "open_restricted",
    "open weights (non-commercial)": "open_restricted",
    "api access": "api",
    "hosted access (no api)": "api",
    "unreleased": "unreleased",
}
# LMArena licence names that mean open weights without use restrictions; any other non-proprietary
# licence (Llama, Gemma, Qwen, CC-BY-NC, 'Modified MIT', 'Open', ...) is open_restricted.
UNRESTRICTED_LICENCES = {"apache 2.0", "apache-2.0", "mit"}
PROPRIETARY_LICENCES = {"proprietary", "propretary"}  # the second is a typo in the Arena catalog

# Vendor / hosting prefixes seen in model-version ids and arena keys ('amazon.nova-lite-v1:0').
_VENDOR = re.compile(r"^(amazon\.|anthropic\.|meta\.|mistral\.|cohere\.|ai21\.|[\w.-]+/)")
# Suffixes peeled off one at a time, each peel giving the next candidate key.
_SUFFIXES = [re.compile(p + r"$") for p in (
    r"-\d{4}-\d{2}-\d{2}",  # -2024-08-06
    r"-\d{8}",  # -20241120
    r"-\d{6}",  # -202412
    r"-\d{2}-\d{2}",  # -01-21 (Gemini exp dates)
    r"-\d{4}",  # -0613, -2410 (MMDD or YYMM)
    r"-\d{3}",  # -001, -002 (Gemini version numbers)
    r"-v\d+(-\d+)*",  # -v0-1, -v1-0
    r"-(latest|preview|exp|experimental|api|dev|online|old|beta|early)",
    r"-(instruct|chat|it|base|hf|dpo|sft)",
    r"-(bf16|fp8|fp16|int4)",
    r"-(high|medium|low|minimal|xhigh)",
    r"-\d+k",  # thinking budget or context length: -32k, -16k, -128k
    r"-(thinking|reasoning|no-thinking|nothinking)",
)]


def normalize(name: str) -> str:
    """Lower-case, drop the `:0` revision tag, and join runs of non-alphanumerics with '-'."""
    s = str(name).strip().lower().replace("_", "-")
    s = re.sub(r":\d+$", "", s).replace("+", " plus")  # 'Command R+' is not 'Command R'
    return re.sub(r"[^0-9a-z]+", "-", s).strip("-")


def candidates(name: str) -> list[str]:
    """Keys to look up, most specific first: the name, without vendor prefix, then peeled suffixes."""
    raw = str(name).strip().lower()
    starts = [normalize(raw)]
    stripped = _VENDOR.sub("", raw)
    if stripped != raw:
        starts.append(normalize(stripped))
    out: list[str] = []
    for key in starts:
        while key and key not in out:
            out.append(key)
            for pat in _SUFFIXES:
                peeled = pat.sub("", key)
                if peeled != key and peeled:
                    key = peeled
                    break
            else:
                break
    return out


def openness_from_accessibility(value: str | None) -> str | None:
    """Epoch `Model accessibility` text -> openness class, or None when empty or unrecognized."""
    return ACCESSIBILITY.get(str(value).strip().lower()) if value else None


def openness_from_licence(licence: str | None) -> str | None:
    """LMArena licence -> openness class: Proprietary -> api, Apache/MIT -> unrestricted, else restricted."""
    if not licence or not str(licence).strip():
        return None
    low = str(licence).strip().lower()
    if low in PROPRIETARY_LICENCES:
        return "api"
    return "open_unrestricted" if low in UNRESTRICTED_LICENCES else "open_restricted"


REFERENCE_FILES = ("model_aliases.csv", "model_families.csv", "organizations.csv",
                   "released_checkpoints.csv", "organization_parents.csv")

# Name tokens of a pre-release checkpoint: a preview or experimental build shown on the Arena
# before (or instead of) a release. Its weights are not the family's released weights.
PRERELEASE_TOKENS = {"exp", "experimental", "preview", "beta", "early"}
# Rules that found the key itself (an Epoch name or model-version id): Epoch records that very
# checkpoint, so the record's openness is the checkpoint's own.
_OWN_RECORD = {"exact", "version"}


def reference_snapshots() -> list[dict[str, Any]]:
    """`_snapshots` rows for the hand-written tables the identity uses: edits trigger a rebuild."""
    root = Path(str(resources.files("aiatlas.entities")))
    return [package_file_row("entities", root / name, len(_read_csv(name)),
                             f"aiatlas/entities/{name}") for name in REFERENCE_FILES]


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("aiatlas.entities").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """The alias table: normalized key -> canonical model name (Epoch spelling when Epoch has it)."""
    return {normalize(r["key"]): r["model"].strip() for r in _read_csv("model_aliases.csv")}


@lru_cache(maxsize=1)
def families() -> list[tuple[re.Pattern, str, str]]:
    """Organization-level defaults per product line: (pattern on the normalized key, org, openness)."""
    return [(re.compile(r["pattern"]), r["organization"], r["openness"])
            for r in _read_csv("model_families.csv")]


@lru_cache(maxsize=1)
def organization_parents() -> dict[str, str]:
    """Lab -> parent company (Google DeepMind -> Google, FAIR -> Meta), as declared."""
    return {r["organization"].strip(): r["parent"].strip() for r in _read_csv("organization_parents.csv")}


@lru_cache(maxsize=1)
def organizations() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-cased organization -> ISO3 country, lower-cased Hugging Face id -> organization)."""
    country, by_hf = {}, {}
    for r in _read_csv("organizations.csv"):
        country[r["organization"].strip().lower()] = r["country"].strip()
        for hf in r["hf_ids"].split():
            by_hf[hf.lower()] = r["organization"].strip()
    return country, by_hf


@lru_cache(maxsize=1)
def released_checkpoints() -> dict[str, str]:
    """Pre-release-named Arena keys whose weights were published (normalized key -> evidence URL)."""
    return {normalize(r["key"]): r["evidence"].strip() for r in _read_csv("released_checkpoints.csv")}


def prerelease_marker(key: str, family_name: str) -> str | None:
    """The pre-release token ('experimental', 'preview', ...) the key carries and the name of
    the model it resolved to does not, or None: 'llama-4-maverick-03-26-experimental' of
    'Llama 4 Maverick' -> 'experimental'; 'DeepSeek-V3.2-Exp' keeps its own 'exp'."""
    own = set(normalize(family_name).split("-"))
    return next((t for t in normalize(key).split("-") if t in PRERELEASE_TOKENS and t not in own),
                None)


def family_of(keys: Iterable[str]) -> tuple[str, str] | None:
    """(organization, default openness) of the first key matching a product-line pattern."""
    for key in keys:
        for pattern, org, openness in families():
            if pattern.match(key):
                return org, openness
    return None


def org_country(org: str | None) -> str | None:
    """ISO3 country of an organization from the small hand-written table."""
    return organizations()[0].get(org.strip().lower()) if org else None


@dataclass
class Identity:
    """One canonical model and where each of its attributes came from."""

    model_id: str
    name: str
    epoch: Mapping[str, Any] | None = None
    epoch_table: str | None = None
    keys: set[str] = field(default_factory=set)
    licences: list[str] = field(default_factory=list)
    arena_orgs: list[str] = field(default_factory=list)
    hf_ids: list[str] = field(default_factory=list)
    version_dates: list[Any] = field(default_factory=list)
    checkpoint_of: Identity | None = None  # set for an unreleased pre-release checkpoint

    def row(self) -> dict[str, Any]:
        """The `model_identity` row: attributes by precedence Epoch > Arena catalog > org default."""
        if self.checkpoint_of is not None:
            # developer and country are the family's; the weights were never published
            return self.checkpoint_of.row() | {
                "model_id": self.model_id, "name": self.name, "release_date": None,
                "openness": "unreleased", "openness_source": "prerelease_checkpoint",
                "epoch_table": None}
        rec = self.epoch or {}
        fam = family_of([*candidates(self.name), *sorted(self.keys)])
        hf_org = next((organizations()[1].get(h.lower()) for h in self.hf_ids
                       if h and h.lower() in organizations()[1]), None)
        orgs = list(rec.get("organizations") or [])
        org = (orgs[0] if orgs else None) or next(iter(self.arena_orgs), None) or hf_org \
            or (fam[0] if fam else None)
        countries = list(rec.get("countries") or [])
        country, country_source = (countries[0], "epoch") if countries else (None, None)
        if country is None:
            country = org_country(org) or (org_country(fam[0]) if fam else None)
            country_source = "org_default" if country else None
        openness, source = openness_from_accessibility(rec.get("accessibility")), "epoch_accessibility"
        if openness is None and rec.get("open_weights") is True:
            # Weights known to be open but the licence is not stated: the conservative open class.
            openness, source = "open_restricted", "epoch_open_weights"
        if openness is None:
            openness = next((o for o in map(openness_from_licence, self.licences) if o), None)
            source = "arena_license"
        if openness is None and fam:
            openness, source = fam[1], "org_default"
        if openness is None:
            openness, source = "unknown", None
        dates = [d for d in self.version_dates if d is not None]
        release = rec.get("publication_date") or (min(dates) if dates else None)
        return {"model_id": self.model_id, "name": self.name, "organization": org,
                "country": country, "country_source": country_source, "release_date": release,
                "openness": openness, "openness_source": source, "epoch_table": self.epoch_table}


class Resolver:
    """Maps any source name to a canonical model id, remembering how (the rule) it did so."""

    def __init__(self, epoch_records: Iterable[tuple[str, Mapping[str, Any]]],
                 model_versions: Iterable[Mapping[str, Any]]):
        self.ids: dict[str, Identity] = {}
        for table, rec in epoch_records:  # earlier tables win: notable > frontier > large-scale
            mid = normalize(rec["name"])
            if mid and mid not in self.ids:
                self.ids[mid] = Identity(mid, rec["name"], rec, table)
        self.versions: dict[str, str] = {}
        for v in model_versions:
            if v.get("model"):
                mid = self._epoch_name(v["model"])
                self.versions.setdefault(normalize(v["model_version"]), mid)
                ident = self.ids[mid]
                ident.version_dates.append(v.get("release_date"))
                ident.hf_ids.append(v.get("hf_developer_id") or "")

    def _epoch_name(self, name: str) -> str:
        """Id of an Epoch model name, creating a record-less identity when no table holds it."""
        mid = normalize(name)
        if mid not in self.ids:
            hit = self._lookup(candidates(name)[1:])
            if hit:
                return hit[0]
            self.ids[mid] = Identity(mid, name)
        return mid

    def _lookup(self, cands: list[str]) -> tuple[str, str] | None:
        """First candidate found among aliases, version ids or Epoch names."""
        for i, key in enumerate(cands):
            if key in aliases():
                target = aliases()[key]
                mid = normalize(target)
                if mid not in self.ids:
                    self.ids[mid] = Identity(mid, target)
                return mid, "alias"
            rule = "exact" if i == 0 else "rules"
            if key in self.versions:
                return self.versions[key], rule
            if key in self.ids:
                return key, rule
        return None

    def resolve(self, name: str, *, catalog: Mapping[str, Any] | None = None,
                hf_id: str | None = None) -> tuple[str | None, str]:
        """(model_id, rule) for a source name; a catalog record or a product-line default can
        still give an unmatched name its own identity (rule 'arena_catalog' / 'family')."""
        cands = candidates(name)
        hit = self._lookup(cands)
        if hit:
            return hit
        stem = cands[-1]
        if catalog is not None or family_of(cands) or (hf_id and hf_id.lower() in organizations()[1]):
            if stem not in self.ids:
                name_in_catalog = (catalog or {}).get("name")
                self.ids[stem] = Identity(stem, name_in_catalog or stem)
            return stem, "arena_catalog" if catalog is not None else "family"
        return None, "unresolved"


def model_identity_rows(*, models: Iterable[Mapping[str, Any]] = (),
                        frontier_models: Iterable[Mapping[str, Any]] = (),
                        large_scale_models: Iterable[Mapping[str, Any]] = (),
                        model_versions: Iterable[Mapping[str, Any]] = (),
                        benchmark_scores: Iterable[Mapping[str, Any]] = (),
                        arena_ratings: Iterable[Mapping[str, Any]] = (),
                        arena_models: Iterable[Mapping[str, Any]] = ()
                        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of `model_identity` (one per canonical model) and `model_keys` (one per source name).

    Arguments are the cleaned warehouse tables as row dicts (schema.py column names).
    """
    versions = list(model_versions)
    epoch = [(t, r) for t, rows in (("models", models), ("frontier_models", frontier_models),
                                    ("large_scale_models", large_scale_models)) for r in rows]
    res = Resolver(epoch, versions)
    counts: dict[tuple[str, str], int] = {}
    hf_of = {normalize(v["model_version"]): v.get("hf_developer_id") for v in versions}
    for r in benchmark_scores:
        key = ("model_version", r["model_version"]) if r.get("model_version") \
            else ("benchmark_name", r.get("name"))
        if key[1]:
            counts[key] = counts.get(key, 0) + 1
    for r in arena_ratings:
        counts[("arena", r["arena_key"])] = counts.get(("arena", r["arena_key"]), 0) + 1
    catalog = {r["arena_key"]: r for r in arena_models}
    for key in catalog:
        counts.setdefault(("arena", key), 0)
    for v in versions:
        counts.setdefault(("model_version", v["model_version"]), 0)

    keys = []
    for (source, key), n in sorted(counts.items()):
        if source == "model_version" and normalize(key) in res.versions:
            mid, rule = res.versions[normalize(key)], "version"
        else:
            mid, rule = res.resolve(key, catalog=catalog.get(key) if source == "arena" else None,
                                    hf_id=hf_of.get(normalize(key)))
        if mid:
            ident = res.ids[mid]
            ident.keys.update(candidates(key))
            if source == "arena" and key in catalog:
                ident.licences.append(catalog[key].get("license"))
                ident.arena_orgs.append(catalog[key].get("organization"))
            if hf_of.get(normalize(key)):
                ident.hf_ids.append(hf_of[normalize(key)])
        keys.append({"source": source, "key": key, "model_id": mid, "rule": rule, "occurrences": n})
    split_prerelease_checkpoints(res, keys)
    for table, rec in epoch:  # Epoch names are keys too, so notable models resolve by name
        keys.append({"source": table, "key": rec["name"], "model_id": res._epoch_name(rec["name"]),
                     "rule": "epoch", "occurrences": 1})
    return [i.row() for i in res.ids.values()], keys


def split_prerelease_checkpoints(res: Resolver, keys: list[dict[str, Any]]) -> None:
    """Give each Arena key that is a pre-release checkpoint of an open-weights model its own,
    unreleased identity (rule 'prerelease_checkpoint').

    Why: peeling '-experimental' or '-preview' resolves such a key to the released family, whose
    openness is its released weights'; the checkpoint on the Arena is a different, unpublished
    model (llama-4-maverick-03-26-experimental scored ~130 points above the released Maverick).
    A key keeps the family's openness only when Epoch records that exact checkpoint (rule exact
    or version) or released_checkpoints.csv cites its published weights. The Arena catalog's
    licence is no evidence: it labels such checkpoints with the family's licence
    (llama-4-maverick-03-26-experimental: 'Llama').
    """
    for k in keys:
        mid = k["model_id"]
        if k["source"] != "arena" or mid is None or k["rule"] in _OWN_RECORD:
            continue
        parent = res.ids[mid]
        if (prerelease_marker(k["key"], parent.name) is None
                or normalize(k["key"]) in released_checkpoints()
                or parent.row()["openness"] not in OPEN):
            continue
        new = normalize(k["key"])
        res.ids.setdefault(new, Identity(new, k["key"], checkpoint_of=parent))
        k["model_id"], k["rule"] = new, "prerelease_checkpoint"


IDENTITY_INPUTS = ("models", "frontier_models", "large_scale_models", "model_versions",
                   "benchmark_scores", "arena_ratings", "arena_models")


def coverage(con) -> dict[str, Any]:
    """Share of MMLU / GPQA Diamond score rows, and of Arena models ever in a date's top 20,
    whose model resolves to a country and an openness class (the issue's >= 95% target)."""
    from aiatlas.entities import coverage as cov

    return cov.measure(con)


def coverage_of(path) -> dict[str, Any]:
    """Coverage figures of a built warehouse file (what the build prints)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return coverage(con)
    finally:
        con.close()
