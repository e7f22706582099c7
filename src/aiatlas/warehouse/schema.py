"""Table contracts of the warehouse: every column with its type, unit and meaning.

Cleaners produce rows in these shapes; indicators read them; docs/warehouse.md is generated
from them (`python -m aiatlas.warehouse.rules > docs/warehouse.md`). The views over ingested
datasets are declared beside them in `datasets.py`; the economy tables (Epoch's companies and
data centres) in `economy_schema.py`, the build's own records in `records_schema.py`.
"""
from __future__ import annotations

from aiatlas.warehouse import economy_schema, records_schema
from aiatlas.warehouse.column import Column

_c = Column


_MODEL_COLUMNS = (
    _c("model_id", "VARCHAR", "", "Stable id: the model name lower-cased, non-alphanumerics as '-'"),
    _c("name", "VARCHAR", "", "Model name as the publisher spells it"),
    _c("organizations", "VARCHAR[]", "", "Developer organizations, in the publisher's order, de-duplicated"),
    _c("countries", "VARCHAR[]", "ISO 3166-1 alpha-3",
       "Distinct developer countries in order of first appearance; Hong Kong = HKG, Taiwan = TWN; "
       "'Multinational' is dropped (see model_organizations)"),
    _c("sectors", "VARCHAR[]", "", "Distinct organization categories (Industry, Academia, Government, "
       "Research collective, ...)"),
    _c("publication_date", "DATE", "", "Date of first publication or release; NULL when unknown"),
    _c("year", "INTEGER", "", "Year of publication_date"),
    _c("parameters", "DOUBLE", "parameters", "Trainable parameters"),
    _c("training_compute_flop", "DOUBLE", "FLOP", "Total training compute"),
    _c("training_cost_usd", "DOUBLE", "2023 USD", "Training compute cost"),
    _c("accessibility", "VARCHAR", "", "Epoch 'Model accessibility' as published"),
    _c("open_weights", "BOOLEAN", "", "Weights downloadable (from 'Open model weights?' or, when empty, "
       "from accessibility); NULL when unknown"),
    _c("frontier", "BOOLEAN", "", "Epoch marks it a frontier model"),
    _c("notability", "VARCHAR[]", "", "Notability criteria"),
    _c("domains", "VARCHAR[]", "", "Domains (Language, Vision, ...)"),
    _c("base_model", "VARCHAR", "", "Model this one was fine-tuned from, if any"),
    _c("training_dataset_size", "DOUBLE", "datapoints",
       "Training dataset size (older exports: 'Training dataset size (datapoints)')"),
    _c("hardware_utilization", "DOUBLE", "fraction 0..1",
       "Model FLOP utilization, MFU (older exports: 'Hardware utilization')"),
    _c("training_hardware", "VARCHAR[]", "", "Accelerators used for training"),
    _c("hardware_quantity", "DOUBLE", "chips", "Number of training accelerators"),
    _c("training_power_w", "DOUBLE", "W", "Power drawn by the training hardware ('Training power "
       "draw (W)'); NULL in exports without the column"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "models": _MODEL_COLUMNS,
    "frontier_models": _MODEL_COLUMNS,
    "large_scale_models": _MODEL_COLUMNS,
    "model_organizations": (
        _c("model_id", "VARCHAR", "", "models.model_id"),
        _c("position", "INTEGER", "", "1-based position of the organization in the publisher's list"),
        _c("organization", "VARCHAR", "", "Organization name"),
        _c("country", "VARCHAR", "ISO 3166-1 alpha-3", "Country of this organization; NULL when the "
           "country list does not line up with the organization list (see docs/warehouse.md) or "
           "the entry is 'Multinational'"),
        _c("sector", "VARCHAR", "", "Organization category, when it lines up"),
        _c("aligned", "BOOLEAN", "", "True when organizations, countries and categories had equal length"),
    ),
    "model_countries": (
        _c("model_id", "VARCHAR", "", "models.model_id"),
        _c("position", "INTEGER", "", "1-based order of first appearance in the country cell"),
        _c("country", "VARCHAR", "ISO 3166-1 alpha-3", "A distinct developer country of the model"),
    ),
    "hardware": (
        _c("hardware_id", "VARCHAR", "", "Stable id from the hardware name"),
        _c("name", "VARCHAR", "", "Hardware name"),
        _c("manufacturer", "VARCHAR", "", "Maker"),
        _c("type", "VARCHAR", "", "GPU, TPU, ..."),
        _c("release_date", "DATE", "", "Release date"),
        _c("release_price_usd", "DOUBLE", "USD", "Launch price"),
        _c("fp16_tensor_flops", "DOUBLE", "FLOP/s", "Dense tensor FP16/BF16 performance"),
        _c("fp8_flops", "DOUBLE", "FLOP/s", "FP8 performance"),
        _c("fp4_flops", "DOUBLE", "FLOP/s", "FP4 performance"),
        _c("fp64_flops", "DOUBLE", "FLOP/s", "FP64 performance"),
        _c("fp32_flops", "DOUBLE", "FLOP/s", "FP32 performance"),
        _c("tf32_flops", "DOUBLE", "FLOP/s", "TF32 performance"),
        _c("fp16_flops", "DOUBLE", "FLOP/s", "FP16 (non-tensor) performance"),
        _c("int16_ops", "DOUBLE", "OP/s", "INT16 performance"),
        _c("int8_ops", "DOUBLE", "OP/s", "INT8 performance"),
        _c("int4_ops", "DOUBLE", "OP/s", "INT4 performance"),
        _c("memory_bytes", "DOUBLE", "bytes", "Memory capacity"),
        _c("memory_bandwidth_bytes_s", "DOUBLE", "byte/s", "Memory bandwidth"),
        _c("intranode_bandwidth_bytes_s", "DOUBLE", "byte/s", "Chip-to-chip (intranode) bandwidth"),
        _c("internode_bandwidth_bits_s", "DOUBLE", "bit/s", "Internode bandwidth"),
        _c("tdp_w", "DOUBLE", "W", "Thermal design power"),
        _c("die_size_mm2", "DOUBLE", "mm^2", "Die size"),
        _c("process_nm", "DOUBLE", "nm", "Process size"),
        _c("transistors_millions", "DOUBLE", "millions", "Transistor count"),
        _c("foundry", "VARCHAR", "", "Foundry"),
        _c("tpp_published", "DOUBLE", "bit-OP/s",
           "Epoch's 'Total processing performance' (TPP in the export-control sense)"),
        _c("max_performance", "DOUBLE", "OP/s", "Epoch's 'Max performance'"),
        _c("energy_efficiency", "DOUBLE", "FLOP/s per W", "Epoch's 'Energy efficiency'"),
        _c("price_performance", "DOUBLE", "FLOP/s per USD", "Epoch's 'Price-performance'"),
        _c("datasheet_url", "VARCHAR", "", "Link to datasheet"),
        _c("datacenter", "BOOLEAN", "", "Designed or marketed for data centers, from the cited chip "
           "supplement (Epoch does not record it); NULL when unknown"),
        _c("figure_sources", "VARCHAR[]", "", "Figures filled from the chip supplement "
           "(curated/chips/specs.yaml) because Epoch has none, each with its source URL"),
        _c("figure_disagreements", "VARCHAR[]", "", "Supplement figures that differ from Epoch's "
           "by more than 1%: Epoch's value is kept, the other is reported here"),
        _c("unconfirmed_figures", "VARCHAR[]", "", "Supplement figures filled in above that no "
           "document of the chip's maker confirms (trade press, resellers): 'figure value (kind: "
           "URL)'; a classification resting on one says so"),
    ),
    "gpu_clusters": (
        _c("cluster_id", "VARCHAR", "", "Stable id from the cluster name"),
        _c("name", "VARCHAR", "", "Cluster name (Epoch anonymizes some)"),
        _c("status", "VARCHAR", "", "Existing / Planned / Decommissioned"),
        _c("certainty", "VARCHAR", "", "Epoch's certainty label"),
        _c("country", "VARCHAR", "ISO 3166-1 alpha-3", "Country of the cluster; NULL when unknown"),
        _c("owner", "VARCHAR", "", "Owner"),
        _c("sector", "VARCHAR", "", "Sector"),
        _c("first_operational_date", "DATE", "", "First operational date"),
        _c("h100_equivalents", "DOUBLE", "H100 equivalents", "Compute in H100 equivalents"),
        _c("max_ops", "DOUBLE", "OP/s", "Maximum OP/s"),
        _c("ops_16bit", "DOUBLE", "OP/s", "16-bit OP/s"),
        _c("chip_type", "VARCHAR", "", "Primary chip type"),
        _c("chip_quantity", "DOUBLE", "chips", "Primary chip quantity"),
        _c("total_chips", "DOUBLE", "chips", "Total number of AI chips"),
        _c("power_mw", "DOUBLE", "MW", "Power capacity"),
        _c("hardware_cost_usd", "DOUBLE", "USD", "Hardware cost"),
        _c("include_in_standard_analysis", "BOOLEAN", "", "Epoch's 'Include in Standard Analysis'"),
        _c("excluded", "BOOLEAN", "", "Epoch's 'Exclude'"),
    ),
    "model_versions": (
        _c("model_version", "VARCHAR", "", "Epoch model-version id (e.g. 'gpt-4o-2024-08-06')"),
        _c("model", "VARCHAR", "", "Epoch model name, linking to models.name"),
        _c("release_date", "DATE", "", "Version release date"),
        _c("hf_developer_id", "VARCHAR", "", "Hugging Face developer id"),
        _c("display_name", "VARCHAR", "", "Display name"),
    ),
    "benchmark_scores": (
        _c("model_version", "VARCHAR", "", "Epoch model-version id; NULL when the row only has a name"),
        _c("model", "VARCHAR", "", "Epoch model name from model_versions (NULL when unknown)"),
        _c("name", "VARCHAR", "", "Display name given in the benchmark table, if any"),
        _c("benchmark", "VARCHAR", "", "Benchmark id, e.g. 'mmlu', 'gpqa_diamond'"),
        _c("score", "DOUBLE", "fraction 0..1", "Score as a fraction"),
        _c("shots", "VARCHAR", "", "Few-shot setting as published"),
        _c("origin", "VARCHAR", "", "'external' (Epoch's compilation) or 'epoch' (Epoch's own runs)"),
        _c("source", "VARCHAR", "", "Who reported the score"),
        _c("source_link", "VARCHAR", "", "Link to the report"),
        _c("date", "DATE", "", "Release date of the model version (or run date for Epoch runs)"),
        _c("file", "VARCHAR", "", "File the row came from"),
        _c("row", "INTEGER", "", "1-based data row in that file"),
    ),
    "arena_ratings": (
        _c("date", "DATE", "", "Date of the leaderboard snapshot"),
        _c("arena_key", "VARCHAR", "", "LMArena model key"),
        _c("category", "VARCHAR", "", "'overall' (text arena) or another leaderboard category"),
        _c("rating", "DOUBLE", "Arena score", "Rating on the board of that date (online Elo in the "
           "Space pickles' older boards, Bradley-Terry later)"),
        _c("ci_low", "DOUBLE", "Arena score", "Lower bound of the 95% interval"),
        _c("ci_high", "DOUBLE", "Arena score", "Upper bound of the 95% interval"),
        _c("file", "VARCHAR", "", "File the row came from"),
        _c("rating_scale", "DATE", "", "First board date of the rating scale the rating is on: "
           "ratings compare across dates only within one scale (sources/lmarena.py)"),
    ),
    "arena_models": (
        _c("arena_key", "VARCHAR", "", "LMArena model key (model_api_name)"),
        _c("name", "VARCHAR", "", "Display name"),
        _c("organization", "VARCHAR", "", "Organization"),
        _c("license", "VARCHAR", "", "'Proprietary' or an open licence name"),
        _c("input_price_usd_per_mtok", "DOUBLE", "USD per 1M tokens", "Input token price"),
        _c("output_price_usd_per_mtok", "DOUBLE", "USD per 1M tokens", "Output token price"),
    ),
    "model_identity": (
        _c("model_id", "VARCHAR", "", "Canonical model id: the Epoch model name normalized (see "
           "docs/performance.md), or the stripped source key when Epoch has no such model"),
        _c("name", "VARCHAR", "", "Canonical name (Epoch spelling when Epoch has the model)"),
        _c("organization", "VARCHAR", "", "Lead developer organization"),
        _c("country", "VARCHAR", "ISO 3166-1 alpha-3", "Country of the lead organization; NULL when unknown"),
        _c("country_source", "VARCHAR", "", "'epoch' or 'org_default' (hand-written organization table)"),
        _c("release_date", "DATE", "", "Epoch publication date, else the earliest version release date"),
        _c("openness", "VARCHAR", "", "open_unrestricted, open_restricted, api, unreleased or unknown"),
        _c("openness_source", "VARCHAR", "", "epoch_accessibility, epoch_open_weights, arena_license or "
           "org_default; NULL when openness is unknown"),
        _c("epoch_table", "VARCHAR", "", "Epoch table holding the model's record (models, frontier_models, "
           "large_scale_models); NULL when none does"),
    ),
    "model_keys": (
        _c("source", "VARCHAR", "", "Namespace of the key: model_version, benchmark_name, arena, or an "
           "Epoch table name"),
        _c("key", "VARCHAR", "", "The name as the source spells it"),
        _c("model_id", "VARCHAR", "", "model_identity.model_id; NULL when unresolved"),
        _c("rule", "VARCHAR", "", "How it resolved: epoch, version, exact, rules, alias, arena_catalog, "
           "family or unresolved"),
        _c("occurrences", "BIGINT", "rows", "Rows of benchmark_scores / arena_ratings carrying this key"),
    ),
    "benchmarks": (
        _c("benchmark", "VARCHAR", "", "Benchmark name as Epoch writes it (benchmark_optim.csv)"),
        _c("optimized_for", "BOOLEAN", "", "Labs optimize for it (Epoch's judgement)"),
        _c("is_coding", "BOOLEAN", "", "Coding benchmark"),
        _c("is_math", "BOOLEAN", "", "Math benchmark"),
        _c("release_date", "DATE", "", "Benchmark release date"),
        _c("source_link", "VARCHAR", "", "Paper or page introducing it"),
    ),
    "distilled_models": (
        _c("model_version", "VARCHAR", "", "Epoch model-version id"),
        _c("distilled", "BOOLEAN", "", "Trained by distillation (Epoch's judgement)"),
        _c("confidence", "VARCHAR", "", "Epoch's confidence in that judgement"),
        _c("notes", "VARCHAR", "", "Epoch's notes"),
    ),
    **economy_schema.TABLES,
    "eci_scores": (
        _c("model_id", "VARCHAR", "", "Stable id from Epoch's model name (same rule as models.model_id)"),
        _c("model", "VARCHAR", "", "Model name as Epoch writes it"),
        _c("display_name", "VARCHAR", "", "Display name, with the evaluated setting (e.g. 'GPT-5.2 (xhigh)')"),
        _c("eci", "DOUBLE", "ECI points", "Epoch Capabilities Index score"),
        _c("eci_low", "DOUBLE", "ECI points", "Lower end of Epoch's 90% interval"),
        _c("eci_high", "DOUBLE", "ECI points", "Upper end of Epoch's 90% interval"),
        _c("release_date", "DATE", "", "Release date; NULL when Epoch gives none"),
        _c("organization", "VARCHAR", "", "Developer organization"),
        _c("countries", "VARCHAR[]", "ISO 3166-1 alpha-3", "Distinct developer countries"),
        _c("accessibility", "VARCHAR", "", "Epoch 'Model accessibility' as published"),
        _c("accessibility_group", "VARCHAR", "", "'Open weights', 'Closed weights' or 'Other' (unknown)"),
        _c("model_versions", "VARCHAR", "", "Model versions the score rests on, as published"),
    ),
    **{table: (
        _c("file", "VARCHAR", "", "Export file the row comes from"),
        _c("series", "VARCHAR", "", "What a row counts: quarter, quarter_by_chip, fiscal_quarter_by_chip, "
           "cumulative or cumulative_by_chip; series overlap, never sum across them"),
        _c("name", "VARCHAR", "", "Row label as published"),
        _c("designer", "VARCHAR", "", "Chip designer (Nvidia, AMD, Google, Amazon)"),
        *((_c("owner", "VARCHAR", "", "Holder: a company, China, or Other (everyone not named)"),
           _c("owner_country", "VARCHAR", "ISO 3166-1 alpha-3", "CHN for China; the headquarters "
              "country of a company (chips may sit abroad); NULL for Other")) if table == "ai_chip_owners"
          else ()),
        _c("chip_type", "VARCHAR", "", "Chip model; NULL in totals"),
        _c("start_date", "DATE", "", "First day of the period (of the cumulation for cumulative series)"),
        _c("end_date", "DATE", "", "Last day of the period"),
        *(_c(f"{m}{p}", "DOUBLE", unit, f"{what}, {band}") for m, unit, what in (
            ("units", "chips", "Number of chips"), ("h100e", "H100 equivalents", "Compute"),
            ("power_mw", "MW", "Power")) for p, band in (
            ("", "median estimate"), ("_p5", "5th percentile"), ("_p95", "95th percentile"))),
        _c("incomplete", "BOOLEAN", "", "Epoch ticks the period as incomplete"),
        _c("estimated_on", "DATE", "", "When Epoch generated the estimate (from Notes)"),
        _c("notes", "VARCHAR", "", "Notes as published"),
    ) for table in ("ai_chip_sales", "ai_chip_owners")},
    **{table: (
        *cols,
        _c("year", "INTEGER", "", "Year"),
        _c("quarter", "INTEGER", "", "Quarter 1-4"),
    ) for table, cols in (
        ("github_activity", (
            _c("economy", "VARCHAR", "ISO 3166-1 alpha-2", "Economy as GitHub writes it (EU = European Union)"),
            _c("country", "VARCHAR", "ISO 3166-1 alpha-3", "The country; NULL for EU (an aggregate)"),
            _c("is_country", "BOOLEAN", "", "False for aggregates (EU); NULL when the code is unknown"),
            _c("measure", "VARCHAR", "", "developers, git_pushes, organizations or repositories"),
            _c("value", "BIGINT", "count", "Count of the measure in the quarter"))),
        ("github_topic_pushers", (
            _c("economy", "VARCHAR", "ISO 3166-1 alpha-2", "Economy as GitHub writes it"),
            _c("country", "VARCHAR", "ISO 3166-1 alpha-3", "The country; NULL for EU"),
            _c("is_country", "BOOLEAN", "", "False for aggregates (EU)"),
            _c("topic", "VARCHAR", "", "Repository topic"),
            _c("pushers", "BIGINT", "developers", "Developers who pushed to repositories with the "
               "topic; a topic below GitHub's privacy threshold is absent (not zero)"))),
        ("github_collaboration", (
            _c("source_economy", "VARCHAR", "ISO 3166-1 alpha-2", "Economy as GitHub writes it"),
            _c("destination_economy", "VARCHAR", "ISO 3166-1 alpha-2", "Economy as GitHub writes it"),
            _c("source_country", "VARCHAR", "ISO 3166-1 alpha-3", "NULL for EU"),
            _c("destination_country", "VARCHAR", "ISO 3166-1 alpha-3", "NULL for EU"),
            _c("weight", "BIGINT", "collaborations", "Collaboration weight as GitHub publishes it"))))},
    "population": (
        _c("code", "VARCHAR", "", "World Bank code: ISO alpha-3 for countries, its own codes for aggregates"),
        _c("name", "VARCHAR", "", "Name as the World Bank writes it"),
        _c("country", "VARCHAR", "ISO 3166-1 alpha-3", "The country; NULL for aggregates"),
        _c("is_country", "BOOLEAN", "", "False for World, regions, income groups and other aggregates"),
        _c("year", "INTEGER", "", "Year"),
        _c("population", "DOUBLE", "people", "Population, total (SP.POP.TOTL), midyear"),
    ),
    "openalex_ai_works": (
        _c("country", "VARCHAR", "ISO 3166-1 alpha-3", "The country of an author's institution "
           "(or an author); NULL when ISO has no code for OpenAlex's"),
        _c("country_code", "VARCHAR", "ISO 3166-1 alpha-2", "The country as OpenAlex writes it"),
        _c("year", "INTEGER", "", "Publication year"),
        _c("works", "BIGINT", "works", "AI works (OpenAlex subfield 1702) with at least one "
           "authorship in the country: full counting, from the API's group_by"),
        _c("ai_definition", "VARCHAR", "", "Which works count as AI (see docs/openalex.md)"),
    ),
    "curated_facts": (
        _c("id", "VARCHAR", "", "Stable fact id, unique across all curated files"),
        _c("topic", "VARCHAR", "", "public_opinion, ai_adoption, robot_installations, investment_programmes, "
           "policy_events, responsible_ai or self_reported_benchmarks"),
        _c("subject", "VARCHAR", "", "ISO 3166-1 alpha-3 (country), ISO 3166-2 (subdivision), 'WLD', a region, "
           "an organization or a model id"),
        _c("subject_type", "VARCHAR", "", "country, subdivision, region, world, organization or model"),
        _c("measure", "VARCHAR", "", "What the value measures, e.g. 'industrial_robot_installations'"),
        _c("label", "VARCHAR", "", "Short headline in our own words (events, programmes); NULL otherwise"),
        _c("label_ja", "VARCHAR", "", "The same headline in Japanese (our own words); NULL without a label"),
        _c("value", "DOUBLE", "see unit", "The figure in whole units (109e9 for '109 billion'); NULL for "
           "events without a count and for unconfirmed records with no figure seen"),
        _c("unit", "VARCHAR", "", "percent, percentage points, units, an ISO 4217 currency, event, ..."),
        _c("period", "VARCHAR", "", "Span the figure covers: YYYY, YYYY-MM, YYYY-H1, YYYY-Q1; NULL for dated events"),
        _c("date", "DATE", "", "Day an event happened or a programme was announced; NULL otherwise"),
        _c("ref_date", "DATE", "", "date, else the first day of period; what since/until filter on"),
        _c("year", "INTEGER", "", "Year of ref_date"),
        _c("publisher", "VARCHAR", "", "Who published the figure (and who reported it, when secondary)"),
        _c("title", "VARCHAR", "", "Title of the cited page; '[title not shown] ...' when not visible"),
        _c("url", "VARCHAR", "", "Cited page"),
        _c("published", "DATE", "", "Publication date of the cited page (day 01 when only the month is known)"),
        _c("as_printed", "VARCHAR", "", "The figure exactly as printed, e.g. '83%', '276,288 units'"),
        _c("note", "VARCHAR", "", "Our own short note on scope, caveats and how the figure was read"),
        _c("note_ja", "VARCHAR", "", "The same note in Japanese (our own words)"),
        _c("confirmed", "BOOLEAN", "", "False when the figure or its date could not be confirmed"),
        _c("unconfirmed_reason", "VARCHAR", "", "Why it is unconfirmed; NULL when confirmed"),
        _c("self_reported", "BOOLEAN", "", "True for scores reported only by the model's developer"),
        _c("source_file", "VARCHAR", "", "The YAML file of the record, e.g. 'aiatlas/curated/policy_events.yaml'"),
        _c("source_sha256", "VARCHAR", "", "sha256 of that YAML file (its provenance, like a snapshot)"),
    ),
    **records_schema.TABLES,
}


def create_sql(table: str) -> str:
    """CREATE TABLE statement for a declared table."""
    cols = ", ".join(f'"{c.name}" {c.type}' for c in TABLES[table])
    return f'CREATE TABLE "{table}" ({cols})'
