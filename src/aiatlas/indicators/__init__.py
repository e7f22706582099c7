"""Declared indicators: pure Ibis expressions over warehouse tables, registered with metadata."""
