"""aiatlas.curated."""
