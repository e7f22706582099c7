"""docs/warehouse.md: the table contracts, the views over ingested datasets, and the cleaning
rules in words (`python -m aiatlas.warehouse.rules > docs/warehouse.md`)."""
from __future__ import annotations

from aiatlas.sources.epoch_benchmarks import EXTERNAL
from aiatlas.warehouse.datasets import VIEWS
from aiatlas.warehouse.schema import TABLES

RULES = """\
# How the warehouse is built

`aiatlas build` reads the **latest complete snapshot** of every default source (the newest
folder under `<home>/snapshots/<source>/` that has a `manifest.json`; folders without one are
downloads in progress and are ignored), runs each source's cleaner, and writes **every** table
above into a new file `<home>/warehouse.duckdb.tmp-<pid>`. Only when all of it is written is
that file renamed over `warehouse.duckdb`. A build that fails (a missing column, an unreadable
file, rejects under `--strict`, a crash) removes its temp file and leaves the previous
warehouse untouched; a reader that already has the old file open keeps reading it. Tables of
sources that were never fetched exist and are empty. A rebuild from exactly the snapshots (and
aiatlas version) the current warehouse was built from is skipped, and says so.

Archive exports (the April 2025 notable-models export, `epoch_notable_models_2025_04`, an
archive of `epoch_notable_models`) are fetched like any source but never built as their own:
they would duplicate the newest export. They are cleaned by the same cleaner, which is how
older header variants stay tested.

## Vintages

`aiatlas build --as-of DATE` builds a second warehouse, `<home>/vintages/DATE/warehouse.duckdb`,
beside the current one (which it does not touch). For every source it reads the snapshot whose
**data as-of** is the newest on or before DATE, among the snapshots of the source and of its
archive exports. A snapshot's data as-of is the newest publisher as-of of its files (known for
the exports whose checksum a source declares), else the day it was fetched (a file fetched on a
day holds no later data). A source with no such snapshot is empty in the vintage and the build
says so (`none as of DATE or earlier`). Curated facts and the entity tables are the package's
current ones in every vintage. `_build.as_of` records the date; `aiatlas builds` lists the
builds with the snapshots (and their as-of) each read; `show`, `explain`, `report` take
`--as-of DATE`, the HTTP API `?as_of=DATE`, the Python API `as_of=`; every result's
`meta.vintage` says which build answered (`latest` or the date).

`aiatlas diff A B` compares two builds table by table. Rows are matched on each table's key
(`models.model_id`, `arena_ratings` date + key + category, ...: `KEYS` in
`warehouse/diff.py`); a row whose key is in one build only is added or removed, a row in both
whose other columns differ is changed, and the columns that changed are listed with both
values. Where a row sits in its file (`file`, `row`) is not compared. A table without a key,
or whose key is not unique in a build, is compared whole rows (added and removed only). Two
builds made by different versions of aiatlas may not hold the same columns: only the columns
both hold are compared, and the others are named (`columns_only_in_a`, `columns_only_in_b`). A
model renamed in a way that keeps its id (`Grok-3` -> `Grok 3`) is therefore changed, not
added and removed. The headline numbers of the report are then evaluated on both builds (a
vintage's complete years end before its date), and for each one that changed, the explain
rows behind its cells that are in one build only are listed.

## Bad input

* A **required column** missing under all its known names stops the build with
  `<file>: missing column 'X' (found: a, b, c)`.
* A file that is **not UTF-8** stops the build with `<file>:<line>: byte 0x.. at offset N is
  not UTF-8`. A UTF-8 BOM is accepted. An **unclosed quote** is an error at its line (it would
  otherwise swallow the rest of the file silently).
* A **cell that does not parse** (number, date, boolean, percentage, country) is recorded in
  `_rejects` as `file:row:column` with the value and the reason, and loads as NULL. When the
  cell is the row's key (a benchmark score, an arena rating, a model name) the row is dropped
  instead, and the reason says so. A row shorter than the header is loaded with NULLs and
  recorded. `aiatlas build` prints warehouse rows / rejected per source; `--strict` turns any
  reject into exit code 1; `aiatlas rejects` lists them.
* Row numbers are 1-based **data rows** (records, not lines: free-text cells hold newlines);
  in JSON files, the 1-based position of the entry (counted across categories in
  `leaderboard-text.json`, whose reject column reads `category.model.rating`).

Accepted formats: numbers as written by the publishers and by spreadsheets (`1600000000000.0`,
`9.702e+24`, `9.90E+22`; not `nan`, `inf` or thousands separators); dates as ISO `YYYY-MM-DD`
(a time part is ignored), `YYYY/MM/DD`, or spreadsheet `M/D/YYYY`; booleans `TRUE/FALSE`,
`True`, `Yes/No`. In tick-box columns (`Frontier model`, `Exclude`, `Include in Standard
Analysis`) an empty cell is false; elsewhere an empty cell is NULL.

On the mirror data, three notable-model cells are rejected: `Training dataset size (total)`
holds two comma-joined sizes (e.g. `2260275840,2290000001`), which is no single number.

## Countries

Country names become ISO 3166-1 alpha-3 codes through **pycountry**. Epoch uses long UN-style
names; `Name (Qualifier)` is looked up as pycountry's `Name, Qualifier` (`Korea (Republic of)`
-> KOR, `Iran (Islamic Republic of)` -> IRN, `Philippines (the)` -> PHL), and a short alias list
covers everyday names pycountry spells differently (`Russia` -> RUS, `Turkey` -> TUR, ...).

* **Hong Kong -> HKG and Taiwan -> TWN** stay separate codes. Folding them into China is a
  parameter of the indicators that want it, not a cleaning decision.
* **Multinational** is Epoch's pseudo-country (often next to real countries for groups such as
  Google DeepMind). It is not a country: it is dropped from `models.countries` and
  `model_countries`, and the organization it belongs to gets `country` NULL in
  `model_organizations`.
* An **unknown name** is a reject (the entry loads as NULL), never a crash.
* `models.countries` and `model_countries` hold the model's **distinct** countries in order of
  first appearance (the cell has one entry per organization, duplicates included).

## Organizations, countries and sectors: the alignment rule

`Organization`, `Country (of organization)` and `Organization categorization` are comma-joined
lists with one entry per organization, but in some rows their lengths differ (the country list
in 32 rows of the July 2026 export; counting the category list and empty cells too, 51 models
are not aligned), so entries cannot be matched to organizations safely. The rule:

* when the three lists have **equal length**, they are zipped: each `model_organizations` row
  gets its organization's country and sector, `aligned = true`;
* otherwise every organization of that model gets `country` and `sector` NULL and
  `aligned = false`. The model's countries are still known from the country cell
  (`models.countries`, `model_countries`), just not per organization.

Count models by country with `model_countries` (or `models.countries`); use
`model_organizations` only for per-organization questions, and filter on `aligned`.

## Models

* `model_id` is the name lower-cased with `+` spelled `plus` and other non-alphanumerics as
  `-` (`DeepLabV3+` -> `deeplabv3plus`); if two names still collide, later rows get `-2`, `-3`.
* `open_weights` is `Open model weights?` (Yes/No) when answered, else true when `Model
  accessibility` starts with "Open weights", false for any other accessibility, NULL when both
  are empty.
* `frontier` is true when `Frontier model` is `True`, false when that cell is empty, NULL when
  the export has no such column (large-scale models).

Header variants known to the models cleaner (newest first):

| column | names across exports |
|---|---|
| name | `Model`, `System` (2024 exports) |
| countries | `Country (of organization)`, `Country (from Organization)` |
| training_dataset_size | `Training dataset size (total)`, `Training dataset size (datapoints)`, `(DEPRECATED) Training dataset size (datapoints)`, `Training dataset size (gradients)` |
| hardware_utilization | `Hardware utilization (MFU)`, `Hardware utilization` |

## Benchmark scores

`benchmark_scores` holds Epoch's own runs (`benchmarks_runs.csv`, `origin = 'epoch'`, only runs
with status Success; the benchmark id is the task in lower snake case, e.g. `GPQA diamond` ->
`gpqa_diamond`; `date` is the run date from `started_at` such as `17 November 2025 4:28pm`)
and one headline score per row of each external table (`origin = 'external'`; `date` is the
model version's release date from `model_versions.csv`). Scores are fractions in 0..1:
percent strings are divided by 100, bare numbers by the file's declared scale; a score outside
0..1 is a reject. Rows with only a display `Name` keep it, with `model_version` NULL.

{benchmarks}

## LMArena ratings

* `leaderboard_text_full_history.csv`: one row per model per catalog version, `date` = the
  commit date, category `overall`.
* `lmarena_history_text_overall_wide.csv`: one column per model key, one row per date
  (`YYYYMMDD`); a `0.0` cell means "not on the board that day" and loads no row; this file has
  no intervals, so `ci_low`/`ci_high` are NULL. Up to 2024-06-26 it holds the Space's online
  Elo, later its Bradley-Terry fit.
* In every file a rating outside 100 .. 5000 (zero or negative included) is no rating: the row
  is dropped and recorded in `_rejects`.
* `rating_scale` (a derived step after cleaning): the first board date of the rating scale
  each rating is on. A board starts a new scale when the models it shares with the board before
  moved by more than 15 points (the median difference), or when it shares none: a new anchor or
  method. Ratings compare across dates only within one scale (docs/performance.md).
* `leaderboard-text.json`: every category (`full` is renamed `overall`). The file carries no
  date; its as-of date (2025-12-11) is the newest commit of the history file, so `date` is the
  newest `commit_date` in the history file when that file is present, else NULL. Its `overall`
  rows already present in the history at that date are not loaded twice.
* `arena_models` comes from `scatterplot-data.json` (141 models with organization, licence and
  prices; prices are USD per million tokens).

## Country-grain sources (added 2026-12-02)

* `eci_scores` (Epoch Capabilities Index): one row per model; `eci_low`/`eci_high` are Epoch's
  90% interval. A row without a model name or score is dropped (the reason says so);
  `Country (of organization)` becomes ISO alpha-3 codes like the models' countries.
* `ai_chip_sales` / `ai_chip_owners` (Epoch AI chip counts): every CSV of the estimation
  repository's `csv_export/` and `owners_csv_export/`, one row per file row, tagged with its
  `series` from the file name (`quarter`, `quarter_by_chip`, `fiscal_quarter_by_chip`,
  `cumulative`, `cumulative_by_chip`). The series describe the same chips several ways:
  **never sum across series**. Header variants (`Number of Units` vs `Number of units (median)`,
  `H100e (5th percentile)` vs `Compute estimate in H100e (5th percentile)`) map to one column.
  `owner_country` is CHN for the owner "China" (chips in China), USA for the US companies
  (their headquarters; the chips may sit abroad) and NULL for "Other"; an unknown owner is a
  reject. `estimated_on` is read from `Estimates generated on: MM-DD-YYYY` in Notes.
* `github_activity` / `github_topic_pushers` / `github_collaboration` (GitHub Innovation
  Graph): economies are ISO alpha-2 codes, mapped to alpha-3 `country` with pycountry; `EU` is an
  aggregate (`is_country` false, `country` NULL); Kosovo `XK` becomes `XKX`; any other unknown
  code is a reject and loads with `is_country` NULL. `datapackage.json` is read and each file's
  columns must be declared there. A topic below GitHub's privacy threshold is **absent**, not
  zero: sums over topics are lower bounds.
* `population` (World Bank SP.POP.TOTL): all rows are kept; `is_country` is true for ISO alpha-3
  codes (and Kosovo `XKX`) and false for the World Bank's own aggregate codes (World, regions,
  income groups, Channel Islands), which never collide with ISO codes.
"""


def benchmark_table() -> str:
    """Markdown table of the headline score column chosen for each external benchmark file."""
    lines = ["| file | benchmark id | headline column | bare numbers divided by |", "|---|---|---|---|"]
    lines += [f"| `external_benchmark_{stem}.csv` | `{bid}` | `{col}` | {div:g} |"
              for stem, (bid, col, div) in EXTERNAL.items()]
    return "\n".join(lines)


def markdown() -> str:
    """docs/warehouse.md: one section per table and view, then the rules."""
    out = ["# Warehouse tables", "", "Generated from `src/aiatlas/warehouse/schema.py` and "
           "`src/aiatlas/warehouse/datasets.py`.", ""]
    for kind, contracts in (("", TABLES), (" (view)", VIEWS)):
        for table, cols in contracts.items():
            out += [f"## `{table}`{kind}", "", "| column | type | unit | meaning |",
                    "|---|---|---|---|"]
            out += [f"| `{c.name}` | {c.type} | {c.unit} | {c.description} |" for c in cols]
            out.append("")
    return "\n".join(out) + "\n" + RULES.replace("{benchmarks}", benchmark_table())


if __name__ == "__main__":
    print(markdown())
