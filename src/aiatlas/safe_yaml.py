"""YAML from files people hand us, refused before it can blow up: a size cap and no aliases."""
from __future__ import annotations

from typing import Any

import yaml

from aiatlas.errors import DataError

# libyaml's parser when present: the pure-Python one is ~20x slower.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 5 << 20  # the largest shipped YAML is ~100 kB; a claims or fact file is smaller


def guard(text: str, where: str) -> None:
    """Raise a DataError for an oversized text or any alias (`*name`).

    Aliases let 440 bytes expand to gigabytes when the document is built (a "billion laughs"
    bomb); no aiatlas file needs them, so the event stream is scanned for one before building.
    """
    if len(text) > MAX_BYTES:
        raise DataError(f"{where}: {len(text)} characters of YAML (at most {MAX_BYTES})",
                        hint="split the file")
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise DataError(f"{where}:{mark.line + 1}:{mark.column + 1}: YAML alias "
                                f"*{event.anchor} is not allowed (write the value out)")
    except yaml.YAMLError as e:
        raise DataError(_located(e, where)) from None


def load(text: str, where: str) -> Any:
    """The document in `text` (safe types only), after `guard`; errors name where:line:column."""
    guard(text, where)
    try:
        return yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as e:
        raise DataError(_located(e, where)) from None


def _located(e: yaml.YAMLError, where: str) -> str:
    mark = getattr(e, "problem_mark", None)
    pos = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
    return f"{where}{pos}: not valid YAML ({getattr(e, 'problem', e)})"
