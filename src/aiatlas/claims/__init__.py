"""aiatlas.claims."""
