"""aiatlas.export_controls."""
