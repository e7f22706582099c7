"""The DuckDB warehouse: typed tables built from snapshots, plus provenance tables."""
