"""A synthetic OpenAlex works snapshot for tests and benchmarks, labelled synthetic everywhere.

It has the real snapshot's layout (`works/updated_date=YYYY-MM-DD/part_NNN.gz`, gzipped JSON
Lines, a redshift-style `works/manifest`) and Work objects with the fields aiatlas reads, plus a
`SYNTHETIC` marker file and ids that start with `SYNTHETIC_ID_PREFIX`, so an ingest of it is
recorded as synthetic and no report can show its numbers as facts.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from aiatlas.sources.openalex import AI_CONCEPT_ID, SYNTHETIC_ID_PREFIX

FIRST_YEAR, LAST_YEAR = 2000, 2024
CITED_UNTIL = 2025  # counts_by_year runs up to this year
UPDATED_DATES = ("2025-01-15", "2025-02-20", "2025-03-28")

# (code, weight in FIRST_YEAR, yearly growth of the weight, citation boost)
COUNTRIES = (("US", 30, 1.00, 0.35), ("CN", 6, 1.14, 0.0), ("GB", 7, 1.00, 0.25),
             ("DE", 7, 1.00, 0.15), ("JP", 8, 0.98, -0.1), ("FR", 5, 1.00, 0.1),
             ("IN", 3, 1.11, -0.3), ("KR", 3, 1.07, 0.0), ("CA", 4, 1.01, 0.2),
             ("IT", 4, 1.00, 0.0), ("AU", 3, 1.02, 0.1), ("BR", 2, 1.05, -0.3),
             ("ES", 3, 1.01, -0.05), ("NL", 2, 1.00, 0.3), ("CH", 2, 1.00, 0.4),
             ("SG", 1, 1.06, 0.3), ("IR", 1, 1.10, -0.4), ("RU", 2, 0.99, -0.5),
             ("TW", 2, 1.00, -0.1), ("SE", 1, 1.00, 0.2))
# (topic id, name, subfield id, subfield name, field id, field name)
AI_TOPICS = (("T10028", "Topic Modeling", "1702", "Artificial Intelligence", "17", "Computer Science"),
             ("T10181", "Natural Language Processing Techniques", "1702", "Artificial Intelligence",
              "17", "Computer Science"),
             ("T11307", "Domain Adaptation and Few-Shot Learning", "1702",
              "Artificial Intelligence", "17", "Computer Science"),
             ("T10462", "Reinforcement Learning in Robotics", "1702", "Artificial Intelligence",
              "17", "Computer Science"))
OTHER_TOPICS = (("T10036", "Advanced Neural Network Applications", "1707",
                 "Computer Vision and Pattern Recognition", "17", "Computer Science"),
                ("T10054", "Parallel Computing and Optimization Techniques", "1708",
                 "Hardware and Architecture", "17", "Computer Science"),
                ("T10320", "Neural Networks and Applications", "1702", "Artificial Intelligence",
                 "17", "Computer Science"),
                ("T10966", "Radiomics and Machine Learning in Medical Imaging", "2741",
                 "Radiology, Nuclear Medicine and Imaging", "27", "Medicine"),
                ("T11636", "Climate variability and models", "1902", "Atmospheric Science",
                 "19", "Earth and Planetary Sciences"),
                ("T10523", "Cancer Immunotherapy", "2730", "Oncology", "27", "Medicine"),
                ("T12026", "Economic Growth and Productivity", "2002", "Economics and Econometrics",
                 "20", "Economics, Econometrics and Finance"),
                ("T10902", "Graphene research", "2504", "Electronic, Optical and Magnetic Materials",
                 "25", "Materials Science"))
OTHER_TOPICS = tuple(t for t in OTHER_TOPICS if t[2] != "1702")
CONCEPTS = (("C41008148", "Q21198", "Computer science", 0), ("C119857082", "Q2539", "Machine learning", 1),
            ("C71924100", "Q11190", "Medicine", 0), ("C121332964", "Q413", "Physics", 0))
TYPES = (("article", 0.80), ("preprint", 0.08), ("book-chapter", 0.06), ("review", 0.04),
         ("dissertation", 0.02))


def _topic_json(t: tuple, score: float) -> str:
    tid, name, sf, sfname, fid, fname = t
    return (f'{{"id":"https://openalex.org/{tid}","display_name":"{name}","score":{score:.4f},'
            f'"subfield":{{"id":"https://openalex.org/subfields/{sf}","display_name":"{sfname}"}},'
            f'"field":{{"id":"https://openalex.org/fields/{fid}","display_name":"{fname}"}},'
            f'"domain":{{"id":"https://openalex.org/domains/3","display_name":"Physical Sciences"}}}}')


def _concept_json(cid: str, wikidata: str, name: str, level: int, score: float) -> str:
    return (f'{{"id":"https://openalex.org/{cid}","wikidata":"https://www.wikidata.org/wiki/{wikidata}",'
            f'"display_name":"{name}","level":{level},"score":{score:.4f}}}')


class _Generator:
    """Draws works with country and year trends, topic mixes and heavy-tailed citations."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
        w = 1.07 ** (years - FIRST_YEAR)
        self.years, self.year_p = years, w / w.sum()
        base = np.array([c[1] for c in COUNTRIES], dtype=float)
        growth = np.array([c[2] for c in COUNTRIES])
        self.country_p = {int(y): (p := base * growth ** (y - FIRST_YEAR)) / p.sum() for y in years}
        self.boost = np.array([c[3] for c in COUNTRIES])
        self.type_names = [t[0] for t in TYPES]
        self.type_p = np.array([t[1] for t in TYPES])

    def lines(self, start: int, n: int, updated_date: str) -> list[str]:
        """`n` works as JSON lines; every random draw is vectorised over the chunk for speed."""
        rng = self.rng
        years = rng.choice(self.years, size=n, p=self.year_p)
        # the AI share of all works rises from 2% to 14% over the period
        is_ai = rng.random(n) < 0.02 + 0.12 * (years - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR)
        n_auth = np.minimum(1 + rng.geometric(0.35, size=n), 15)
        types = rng.choice(len(self.type_names), size=n, p=self.type_p)
        lead = np.empty(n, dtype=np.int64)
        for y in np.unique(years):
            sel = years == y
            lead[sel] = rng.choice(len(COUNTRIES), size=int(sel.sum()), p=self.country_p[int(y)])
        # most co-authors share the lead author's country; some collaborate abroad
        owner = np.repeat(np.arange(n), n_auth)
        first_author = np.r_[True, owner[1:] != owner[:-1]]
        foreign = (rng.random(owner.size) < 0.18) & ~first_author
        auth_country = np.where(foreign, rng.choice(len(COUNTRIES), size=owner.size,
                                                    p=self.country_p[2012]), lead[owner])
        inst = auth_country * 1000 + rng.integers(1000, size=owner.size) + 4200000000
        topic_main = rng.integers(len(AI_TOPICS) * len(OTHER_TOPICS), size=n)
        topic_score = np.where(is_ai, 0.6 + 0.39 * rng.random(n), 0.5 + 0.49 * rng.random(n))
        n_extra = rng.integers(0, 3, size=n)
        extra_pick = rng.integers(1000, size=(n, 2))
        extra_scale = 0.5 + 0.4 * rng.random((n, 2))
        # the legacy AI concept mostly agrees with the topics, but not always (as in OpenAlex)
        u = rng.random(n)
        concept = np.where(is_ai & (u < 0.85), 0.3 + 0.6 * rng.random(n),
                           np.where(~is_ai & (u < 0.1), 0.35 * rng.random(n), np.nan))
        cs_score, other_c = 0.4 + 0.5 * rng.random(n), rng.integers(1, len(CONCEPTS), size=n)
        other_score = 0.5 * rng.random(n)
        # heavy-tailed citations, growing with age, higher for some countries and for AI
        age = CITED_UNTIL - years
        mu = 0.8 + 0.9 * np.log1p(age) + self.boost[lead] + np.where(is_ai, 0.3, 0.0)
        cited = np.expm1(np.maximum(mu + rng.normal(0.0, 1.3, size=n), 0.0)).astype(np.int64)
        first = np.maximum(years, CITED_UNTIL - 9)
        span = CITED_UNTIL - first + 1
        # split each work's citations evenly at random over its window (a vectorised multinomial)
        counts = np.zeros((n, 10), dtype=np.int64)
        left = cited.copy()
        for j in range(10):
            slots = span - j
            take = np.where(slots > 1, rng.binomial(left, 1.0 / np.maximum(slots, 1)), left)
            take = np.where(slots >= 1, take, 0)
            counts[:, j] = take
            left -= take
        cited = cited + np.where(years < first, rng.integers(0, 20, size=n), 0)
        month, day = 1 + rng.integers(12, size=n), 1 + rng.integers(28, size=n)
        starts = np.r_[0, np.cumsum(n_auth)[:-1]]
        out = []
        for i in range(n):
            a0 = int(starts[i])
            auths = ",".join(self._author(start + i, j, int(n_auth[i]), COUNTRIES[int(auth_country[a0 + j])][0],
                                          int(inst[a0 + j])) for j in range(int(n_auth[i])))
            main = (AI_TOPICS[topic_main[i] % len(AI_TOPICS)] if is_ai[i]
                    else OTHER_TOPICS[topic_main[i] % len(OTHER_TOPICS)])
            topics = [_topic_json(main, topic_score[i])]
            score = topic_score[i]
            for e in range(int(n_extra[i])):
                pick = int(extra_pick[i, e])
                pool = AI_TOPICS if pick < 50 else OTHER_TOPICS  # 5% mention an AI topic lower down
                score *= extra_scale[i, e]
                topics.append(_topic_json(pool[pick % len(pool)], score))
            concepts = [_concept_json(*CONCEPTS[0], cs_score[i])]
            if not np.isnan(concept[i]):
                concepts.append(_concept_json(AI_CONCEPT_ID.rsplit("/", 1)[1], "Q11660",
                                              "Artificial intelligence", 1, concept[i]))
            concepts.append(_concept_json(*CONCEPTS[int(other_c[i])], other_score[i]))
            f0 = int(first[i])
            # counts_by_year covers the last ten years only, newest first, zero years dropped
            cby = ",".join(f'{{"year":{f0 + j},"cited_by_count":{int(counts[i, j])}}}'
                           for j in range(int(span[i]) - 1, -1, -1) if counts[i, j])
            y, k = int(years[i]), start + i
            date = f"{y}-{int(month[i]):02d}-{int(day[i]):02d}"
            n_countries = len({auth_country[a0 + j] for j in range(int(n_auth[i]))})
            out.append(
                f'{{"id":"{SYNTHETIC_ID_PREFIX}{k}","doi":null,"title":"Synthetic work {k}",'
                f'"display_name":"Synthetic work {k}","publication_year":{y},"publication_date":"{date}",'
                f'"type":"{self.type_names[types[i]]}","authorships":[{auths}],'
                f'"countries_distinct_count":{n_countries},"cited_by_count":{int(cited[i])},'
                f'"primary_topic":{topics[0]},"topics":[{",".join(topics)}],'
                f'"concepts":[{",".join(concepts)}],"counts_by_year":[{cby}],'
                f'"updated_date":"{updated_date}T00:00:00.000000","created_date":"{date}"}}')
        return out

    @staticmethod
    def _author(k: int, j: int, n_auth: int, cc: str, inst: int) -> str:
        pos = "first" if j == 0 else ("last" if j == n_auth - 1 else "middle")
        return (f'{{"author_position":"{pos}","author":{{"id":"https://openalex.org/A_SYNTH{k}_{j}",'
                f'"display_name":"Synthetic Author {k}-{j}"}},"institutions":[{{"id":'
                f'"https://openalex.org/I{inst}","display_name":"Synthetic Institute I{inst}",'
                f'"country_code":"{cc}","type":"education"}}],"countries":["{cc}"],'
                f'"is_corresponding":{"true" if j == 0 else "false"}}}')


def write_corpus(out: str | Path, works: int, *, per_part: int = 100_000, seed: int = 0,
                 progress=None) -> dict:
    """Write `works` synthetic works as an OpenAlex snapshot under `out`; returns the manifest."""
    out = Path(out)
    root = out / "works"
    root.mkdir(parents=True, exist_ok=True)
    (out / "SYNTHETIC").write_text(
        "This folder is a SYNTHETIC OpenAlex snapshot made by `aiatlas synth openalex`.\n"
        "Its numbers are invented for tests and benchmarks and describe no real research.\n",
        encoding="utf-8")
    gen = _Generator(seed)
    entries, done, part = [], 0, 0
    n_parts = max(1, -(-works // per_part))
    while done < works:
        n = min(per_part, works - done)
        date = UPDATED_DATES[min(part * len(UPDATED_DATES) // n_parts, len(UPDATED_DATES) - 1)]
        folder = root / f"updated_date={date}"
        folder.mkdir(exist_ok=True)
        path = folder / f"part_{part:03d}.gz"
        with gzip.open(path, "wb", compresslevel=1) as fh:
            for start in range(0, n, 10_000):
                chunk = gen.lines(done + start, min(10_000, n - start), date)
                fh.write(("\n".join(chunk) + "\n").encode())
        entries.append({"url": f"s3://openalex-synthetic/data/works/updated_date={date}/{path.name}",
                        "meta": {"content_length": path.stat().st_size, "record_count": n}})
        done += n
        part += 1
        if progress:
            progress(done, works)
    manifest = {"entries": entries,
                "meta": {"content_length": sum(e["meta"]["content_length"] for e in entries),
                         "record_count": works}}
    (root / "manifest").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest
