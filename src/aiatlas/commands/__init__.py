"""CLI command groups, one module per user task area."""
