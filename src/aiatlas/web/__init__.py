"""aiatlas.web."""
