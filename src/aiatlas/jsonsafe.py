"""JSON every reader can parse and every page can embed: no NaN/Infinity, no way out of <script>."""
from __future__ import annotations

import json
import math
from typing import Any

# Inside <script>, "</script>" or "<!--" in a string would end or confuse the block; U+2028/9
# end lines in older JavaScript. Escaped, they stay the same JSON values.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def finite(obj: Any) -> Any:
    """A copy of obj with NaN and infinities as None: JSON has no spelling for them."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def dumps(obj: Any, **kwargs: Any) -> str:
    """Strict JSON text (allow_nan=False after `finite`); dates and other objects as text."""
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(finite(obj), default=str, allow_nan=False, **kwargs)


def script_json(obj: Any) -> str:
    """JSON safe to place inside an HTML <script> element (or an attribute, quoted)."""
    return dumps(obj).translate(_SCRIPT_ESCAPES)
