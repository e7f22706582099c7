"""Upstream publishers: one module per publisher, each declaring its files and cleaner."""
