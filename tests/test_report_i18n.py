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
    meta = {"id": "made_up_indicator", "chapter": "made_up_chapter", "title": "T", "description": "D",
            "unit": "made-up units"}
    missing = i18n.missing_keys([meta])
    assert "ja:indicators.made_up_indicator.title" in missing
    assert "ja:indicators.made_up_indicator.description" in missing
    assert not [k for k in missing if k.startswith("en:indicators.")]  # the registry's own text
    for lang in ("en", "ja"):
        assert f"{lang}:chapters.made_up_chapter" in missing
        assert f"{lang}:units.made-up units" in missing


def test_ui_keys_match_between_languages():
    en, ja = i18n.catalog("en"), i18n.catalog("ja")
    for section in ("ui", "chapters", "headlines"):
        assert set(en[section]) == set(ja[section]), section
    # English indicator text lives only in the registry; Japanese covers exactly its ids
    assert en["indicators"] == {}
    assert set(ja["indicators"]) == {m["id"] for m in api.list_indicators()}
    assert ja["ui"]["headlines"] != en["ui"]["headlines"]  # actually translated


def test_every_unit_shown_has_text_in_both_languages():
    from aiatlas.report import headlines

    units = {m["unit"] for m in api.list_indicators()}
    units |= {d["unit"] for d in headlines.declared() if d.get("unit")}
    for lang in i18n.LANGS:
        assert units <= set(i18n.catalog(lang)["units"]), (lang, units - set(i18n.catalog(lang)["units"]))
    ja = i18n.Text("ja")
    assert ja.unit("share (0-1)") == "割合（0〜1）" and ja.unit("no such unit") == "no such unit"
    assert i18n.Text("en").unit("share (0-1)") == "share (0-1)"


def test_every_parameter_has_a_form_label_in_both_languages():
    names = {p["name"] for m in api.list_indicators() for p in m["parameters"]}
    for lang in i18n.LANGS:
        missing = names - set(i18n.catalog(lang)["parameter_names"])
        assert not missing, f"add to {lang}.yaml parameter_names: {sorted(missing)}"
    assert i18n.Text("ja").parameter("since") == "開始"
