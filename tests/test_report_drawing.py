"""Charts drawn in worker processes: the same SVG as drawn here, errors and a stopped worker
raised on the chart's future (never a hang), workers stopped on leaving the block."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from aiatlas.report import charts, drawing


def _spec(title: str, lang: str = "en") -> dict:
    rows = [{"country": c, "year": y, "value": v} for c, y, v in
            [("USA", 2020, 5), ("USA", 2021, 7), ("CHN", 2021, 3), ("JPN", 2021, 2)]]
    return charts.spec({"id": "x", "grain": ["country", "year"], "value_columns": ["value"]},
                       rows, title=title, unit="models", lang=lang)


@pytest.fixture(scope="module")
def draw():
    """One worker for the tests that only ask a worker for charts: starting one costs about a
    second of CPU (a new Python and the chart engine's first chart). The tests of starting and
    stopping workers start their own."""
    with drawing.Drawer(processes=1) as draw:
        yield draw


@pytest.mark.slow  # two new drawing workers
def test_a_worker_draws_the_same_svg_as_this_process_in_either_language():
    specs = [_spec("Models by country"), _spec("国別の注目モデル数", "ja")]
    with drawing.Drawer(processes=2) as draw:
        futures = [draw(s) for s in specs]
        got = [drawing.drawn(f) for f in futures]
    assert got == [drawing.svg(s) for s in specs]
    assert "国別の注目モデル数" in got[1] and drawing.drawn("<svg/>") == "<svg/>"


def test_a_drawn_chart_rasterised_for_print_is_a_png_of_its_size_times_the_scale(draw):
    import base64
    import struct

    spec = _spec("国別の注目モデル数", "ja")
    drawn = draw(spec).result(timeout=60)
    data = base64.b64decode(draw.raster(drawn, 2.0).result(timeout=60))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = struct.unpack(">I", data[16:20])[0]
    assert width == 2 * round(float(drawn.split('width="')[1].split('"')[0]))
    assert data == drawing.png(drawn, 2.0)


def test_a_chart_that_cannot_be_drawn_raises_and_the_worker_draws_the_next(draw):
    bad = draw({"mark": "no-such-mark"})
    good = draw(_spec("After the error"))
    with pytest.raises(drawing.ChartError, match="chart not drawn"):
        bad.result(timeout=60)
    assert "After the error" in good.result(timeout=60)


def test_a_stopped_worker_fails_its_charts_instead_of_hanging():
    with drawing.Drawer(processes=1) as draw:
        worker = draw._workers[0]
        worker.proc.kill()
        worker.threads[1].join(timeout=60)  # the reader saw the end of the process
        with pytest.raises(drawing.ChartError, match="stopped"):
            draw(_spec("Never drawn")).result(timeout=60)
    with pytest.raises(RuntimeError, match="outside"):
        draw(_spec("Too late"))


def test_workers_stop_when_the_block_is_left_on_an_error():
    with pytest.raises(ValueError), drawing.Drawer(processes=1) as draw:
        worker = draw._workers[0]
        draw(_spec("Being drawn"))
        raise ValueError("the build failed")
    assert worker.proc.poll() is not None


@pytest.mark.slow  # a new Python process and its drawing worker
def test_a_script_without_a_main_guard_can_draw(tmp_path):
    """Workers are plain processes, not multiprocessing's: the caller's script is never run
    again in them (a spawned pool would re-run it and fail)."""
    script = tmp_path / "draw.py"
    script.write_text(textwrap.dedent("""
        from aiatlas.report import drawing
        spec = {"mark": "bar", "data": {"values": [{"a": "x", "b": 1}]},
                "encoding": {"x": {"field": "a", "type": "nominal"},
                             "y": {"field": "b", "type": "quantitative"}}}
        with drawing.Drawer(processes=1) as draw:
            print(draw(spec).result(timeout=60)[:4])
    """), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "<svg"


def test_workers_leave_one_core_to_the_build(monkeypatch):
    for cores, expected in ((1, 1), (2, 1), (4, 3), (64, drawing.MAX_WORKERS), (None, 1)):
        monkeypatch.setattr(drawing.os, "cpu_count", lambda c=cores: c)
        assert drawing.workers() == expected
        assert drawing.workers(printing=True) == min(max(1, cores or 2), drawing.MAX_WORKERS)


def test_a_chart_being_drawn_is_rasterised_once_drawn_and_its_error_reaches_the_raster(draw):
    import base64

    chart = draw(_spec("国別の注目モデル数", "ja"))
    raster = draw.raster(chart, 1.0)  # asked before the chart is drawn
    bad = draw.raster(draw({"mark": "no-such-mark"}), 1.0)
    png = base64.b64decode(raster.result(timeout=60))
    assert png == drawing.png(chart.result(), 1.0)
    with pytest.raises(drawing.ChartError, match="chart not drawn"):
        bad.result(timeout=60)


def test_japanese_charts_name_the_cut_font_first_and_are_laid_out_as_with_the_whole_font():
    import json

    from fontTools.ttLib import TTFont

    spec = _spec("国別の注目モデル数", "ja")
    assert spec["config"]["font"].startswith(drawing.SUBSET_FAMILY + ", ")
    cut = drawing.cjk_subset()
    assert cut is not None and cut == drawing.cjk_subset()  # made once, then kept
    fonts = sorted(cut.glob("*.otf"))
    assert [TTFont(f)["name"].getDebugName(1) for f in fonts] == [drawing.SUBSET_FAMILY] * 2
    assert len(TTFont(fonts[0]).getGlyphOrder()) < 5000  # of the whole face's 65,535
    whole = json.loads(json.dumps(spec).replace(drawing.SUBSET_FAMILY + ", ", ""))
    drawn, with_whole = drawing.svg(spec), drawing.svg(whole)
    assert drawing.SUBSET_FAMILY in drawn  # every label measured and set in the cut ...
    assert drawn.replace(drawing.SUBSET_FAMILY + ", ", "") == with_whole  # ... at the same places
    assert drawing.png(drawn, 1.0) == drawing.png(with_whole, 1.0)


def test_the_cut_holds_the_spaces_a_chart_writes():
    spec = _spec("95%\xa0区間", "ja")  # (a no-break space: no printable character)
    assert "\xa0" in drawing.subset_chars()
    drawing.register_fonts()
    assert drawing._fitted(spec) is spec  # drawn with the cut, not the whole font


def test_a_chart_with_a_character_outside_the_cut_is_drawn_with_the_whole_font():
    title = "鬱蒼"  # in no text of the package: not in the cut
    assert not set(title) & set(drawing.subset_chars())
    drawn = drawing.svg(_spec(title, "ja"))
    assert title in drawn and drawing.SUBSET_FAMILY not in drawn


def test_answers_reach_their_own_request_when_threads_submit_at_once(monkeypatch, draw):
    """With --pdf the build submits specs while reader threads submit rasters to the same worker:
    an answer must reach the request it answers. A spec still being serialised (slowly, here)
    must not let a later, small request's line overtake it."""
    import json
    import threading
    import time

    def slow_dumps(obj, **kw):
        if "spec" in obj:
            time.sleep(0.5)
        return json.dumps(obj, **kw)

    monkeypatch.setattr(drawing, "json", type("J", (), {"dumps": staticmethod(slow_dumps),
                                                        "loads": staticmethod(json.loads)}))
    small = drawing.svg(_spec("small"))
    got = {}
    spec = threading.Thread(target=lambda: got.setdefault("spec", draw(_spec("big"))))
    spec.start()
    time.sleep(0.1)  # the spec's request is being written when the raster's comes
    got["png"] = draw.raster(small, 1.0)
    spec.join()
    assert "big" in got["spec"].result(timeout=120)
    assert got["png"].result(timeout=120).startswith("iVBOR")  # base64 of a PNG's signature
