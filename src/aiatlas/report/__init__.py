"""aiatlas.report."""
