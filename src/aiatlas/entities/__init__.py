"""aiatlas.entities."""
