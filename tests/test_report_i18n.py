"""Every UI string, chapter and registered indicator has English and Japanese text."""
from __future__ import annotations

from aiatlas import api
from aiatlas.report import i18n


def test_catalogs_complete_for_every_registered_indicator():
    inds = api.list_indicators()
    assert not [m["id"] for m in inds if m["id"].startswith("test_")], "test indicators leaked"
    missing = i18n.missing_keys(inds)
    assert missing == [], "add these to src/aiatlas/report/i18n/*.yaml: " + ", ".join(missing)


def test_missing_keys_are_reported_per_language():
    meta = {"id": "made_up_indicator", "chapter": "made_up_chapter", "title": "T", "description": "D"}
    missing = i18n.missing_keys([meta])
    for lang in ("en", "ja"):
        assert f"{lang}:indicators.made_up_indicator.title" in missing
        assert f"{lang}:indicators.made_up_indicator.description" in missing
        assert f"{lang}:chapters.made_up_chapter" in missing


def test_ui_keys_match_between_languages():
    en, ja = i18n.catalog("en"), i18n.catalog("ja")
    for section in ("ui", "chapters", "headlines", "indicators"):
        assert set(en[section]) == set(ja[section]), section
    assert ja["ui"]["headlines"] != en["ui"]["headlines"]  # actually translated
