"""aiatlas: an open, reproducible index of the global AI race."""
from aiatlas.api import build, compute, explain, fetch, list_indicators, snapshots
from aiatlas.composite_index import composite
from aiatlas.standing import compare
from aiatlas.standing import profile as country

__version__ = "0.1.0"
__all__ = ["build", "compare", "composite", "compute", "country", "explain", "fetch", "list_indicators", "snapshots",
           "__version__"]
