"""CLI sub-commands, one module per area, registered in aiatlas.cli."""
