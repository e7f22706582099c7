"""The HTTP face of the checker: `POST /api/check` logic, for the web app to mount."""
from __future__ import annotations

from typing import Any

from aiatlas.errors import UsageError

MAX_CHARS = 200_000  # about 40 pages; a bigger body is a mistake, not an article


def handle_check(body: Any, *, home=None) -> dict[str, Any]:
    """`POST /api/check` body {"text": str, "lang": "auto"|"en"|"ja"} -> the report as JSON.

    Raises UsageError (the web layer maps it to 422) for a missing text, a non-string text,
    a text over MAX_CHARS, or an unknown language. URLs are not fetched on behalf of a client.
    """

    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"].strip():
        raise UsageError("body must be JSON {\"text\": \"...\", \"lang\": \"auto|en|ja\"}")
    if len(body["text"]) > MAX_CHARS:
        raise UsageError(f"text is {len(body['text'])} characters (at most {MAX_CHARS})")
    lang = body.get("lang", "auto")
    if lang not in ("auto", "en", "ja"):
        raise UsageError(f"lang {lang!r} (expected auto, en or ja)")
    from aiatlas.claims.check import check_text

    report = check_text(body["text"], lang, home=home, source="<request>")
    return report.to_dict()


def router(home=None):
    """A FastAPI APIRouter with `POST /api/check`; mount with `app.include_router(router())`."""
    from fastapi import APIRouter, Body, HTTPException

    r = APIRouter()

    @r.post("/api/check", summary="Check the numeric claims of a text (English or Japanese)")
    def post_check(body: dict = Body(..., examples=[{"text": "In 2024 the US built 40 notable "
                                                             "AI models.", "lang": "auto"}])):
        try:
            return handle_check(body, home=home)
        except UsageError as e:
            raise HTTPException(status_code=422, detail=str(e)) from None

    return r
