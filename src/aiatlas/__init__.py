"""aiatlas: an open, reproducible index of the global AI race."""
from aiatlas.api import build, compute, explain, fetch, list_indicators, snapshots

__version__ = "0.1.0"
__all__ = ["build", "compute", "explain", "fetch", "list_indicators", "snapshots", "__version__"]
