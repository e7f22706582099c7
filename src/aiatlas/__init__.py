"""aiatlas: an open, reproducible index of the global AI race."""
import importlib

__version__ = "0.1.0"
__all__ = ["build", "compare", "composite", "compute", "country", "explain", "fetch", "list_indicators", "snapshots",
           "__version__"]

# Loaded on first use (PEP 562), so `import aiatlas.x` stays light: the cold-start fast path of
# `aiatlas show` must not pay for Ibis.
_LAZY = {"build": "api", "compute": "api", "explain": "api", "fetch": "api",
         "list_indicators": "api", "snapshots": "api", "composite": "composite_index",
         "compare": "standing", "country": "standing"}


def __getattr__(name: str):
    """The public API functions, imported when first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module 'aiatlas' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"aiatlas.{_LAZY[name]}"), "profile" if name == "country" else name)
    globals()[name] = value
    return value
