"""What `POST /api/check` accepts: a text (no URL is ever fetched for a client), checked here."""
from __future__ import annotations

from typing import Any

from aiatlas.claims.check import article_date
from aiatlas.errors import UsageError

MAX_CHARS = 200_000  # about 40 pages; a bigger body is a mistake, not an article
MAX_BODY_BYTES = 4 * MAX_CHARS + 1024  # UTF-8 text of MAX_CHARS characters plus the JSON around it


def check_request(body: Any) -> tuple[str, str, str | None]:
    """The (text, lang, dated) of a `{"text": str, "lang": "auto"|"en"|"ja", "dated": "YYYY-MM-DD"}`
    body (`dated`, the article's date, is optional).

    Raises UsageError (the web layer answers 422) for a missing or non-string text, a text over
    MAX_CHARS, an unknown language or a date that is not YYYY-MM-DD. The text is checked as it
    is: a URL in it is not fetched.
    """
    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"].strip():
        raise UsageError("body must be JSON {\"text\": \"...\", \"lang\": \"auto|en|ja\"}")
    if len(body["text"]) > MAX_CHARS:
        raise UsageError(f"text is {len(body['text'])} characters (at most {MAX_CHARS})")
    lang = body.get("lang", "auto")
    if lang not in ("auto", "en", "ja"):
        raise UsageError(f"lang {lang!r} (expected auto, en or ja)")
    dated = body.get("dated")
    if dated is not None:
        article_date(str(dated))
    return body["text"], lang, dated
