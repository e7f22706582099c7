"""Vega-Lite specs drawn as SVG by vl-convert, offline, in worker processes beside the build.

vl-convert holds the GIL for the whole of a conversion, so a thread drawing charts stops the
thread computing the next indicator; a worker process draws while the build computes. A worker
is `python -c "...serve()"` reading one JSON request per line on stdin ({"spec": ...} to draw,
{"svg": ..., "scale": ...} to rasterise a drawn chart for print) and answering one JSON line
({"svg": ...}, {"png": base64} or {"error": ...}) per request, in order, on stdout: no
multiprocessing, so the caller's main module is never imported again (a script without a
`__main__` guard works). This module imports nothing heavy, so a worker starts in a fraction
of a second.
"""
from __future__ import annotations

import base64
import collections
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

# Debian's fonts-noto-cjk; registering it lets vl-convert draw Japanese labels instead of boxes.
CJK_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
TIME_LOCALES = {"en": "en-US", "ja": "ja-JP"}  # d3 time-format locales: month names on date axes
MAX_WORKERS = 4
PRINT_SCALE = 2.5  # a 560 px chart rasterised for print: ~250 dpi across an A4 page's text width
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding `aiatlas/`
_fonts_lock = threading.Lock()
_fonts_done = False


def register_fonts() -> bool:
    """Register the CJK font directories with vl-convert once; True when one was found."""
    global _fonts_done
    import vl_convert as vlc

    with _fonts_lock:
        if not _fonts_done:
            for d in CJK_FONT_DIRS:
                if d.is_dir():
                    vlc.register_font_directory(str(d))
            _fonts_done = True
    return any(d.is_dir() for d in CJK_FONT_DIRS)


def svg(vl_spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to an SVG string offline (no network, fonts registered first),
    in the language its `usermeta` names (month names on date axes)."""
    import vl_convert as vlc

    register_fonts()
    lang = (vl_spec.get("usermeta") or {}).get("lang")
    return vlc.vegalite_to_svg(vl_spec, time_format_locale=TIME_LOCALES.get(lang, "en-US"))


def png(svg_text: str, scale: float = PRINT_SCALE) -> bytes:
    """A drawn chart as PNG (for print: WeasyPrint lays out and paints a PNG in a tenth of the
    time it takes for the same chart as SVG, whose every mark and label is a styled element)."""
    import vl_convert as vlc

    register_fonts()
    return vlc.svg_to_png(svg_text, scale=scale)


def _answer(request: dict[str, Any]) -> dict[str, str]:
    if "spec" in request:
        return {"svg": svg(request["spec"])}
    return {"png": base64.b64encode(png(request["svg"], request["scale"])).decode("ascii")}


def serve(stdin=None, stdout=None) -> None:
    """A worker's loop: a request per line in, its answer (or the error) per line out, until EOF."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    for line in stdin:
        try:
            answer = _answer(json.loads(line))
        except Exception as e:  # noqa: BLE001  the caller's future raises it
            answer = {"error": f"{type(e).__name__}: {e}"}
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()


def workers() -> int:
    """Drawing processes for a build: every core but the one the build computes on (at least
    one, at most MAX_WORKERS)."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 2) - 1))


class ChartError(RuntimeError):
    """A chart a worker could not draw, or a worker that stopped."""


def python(code: str, *args: str) -> list[str]:
    """The command running `code` in a new Python with this package importable (a worker)."""
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(_PACKAGE_ROOT)!r}); {code}",
            *args]


class _Worker:
    """One drawing process; specs are written by one thread and answers read by another, so a
    caller never waits on a full pipe."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(python("from aiatlas.report.drawing import serve; serve()"),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     encoding="utf-8")
        self.pending: collections.deque[Future] = collections.deque()
        self.lock = threading.Lock()
        self.stopped: int | None = None  # the exit code, once the process has ended
        self.outbox: queue.Queue[str | None] = queue.Queue()
        self.threads = [threading.Thread(target=self._write, daemon=True),
                        threading.Thread(target=self._read, daemon=True)]
        for t in self.threads:
            t.start()

    def submit(self, request: dict[str, Any]) -> Future:
        fut: Future = Future()
        with self.lock:
            if self.stopped is not None:
                fut.set_exception(self._stopped_error())
                return fut
            self.pending.append(fut)
        self.outbox.put(json.dumps(request, separators=(",", ":")) + "\n")
        return fut

    def load(self) -> int:
        return len(self.pending)

    def _write(self) -> None:
        try:
            while (line := self.outbox.get()) is not None:
                self.proc.stdin.write(line)
                self.proc.stdin.flush()
        except OSError:
            pass  # the worker stopped: its reader fails what is pending
        finally:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self.lock:
                fut = self.pending.popleft()
            answer = json.loads(line)
            if "error" not in answer:
                fut.set_result(answer.get("svg") or answer.get("png"))
            else:
                fut.set_exception(ChartError(f"chart not drawn: {answer['error']}"))
        code = self.proc.wait()
        with self.lock:
            self.stopped = code
            while self.pending:
                self.pending.popleft().set_exception(self._stopped_error())

    def _stopped_error(self) -> ChartError:
        return ChartError(f"the chart-drawing process stopped (exit code {self.stopped})")

    def close(self, *, kill: bool = False) -> None:
        self.outbox.put(None)
        if kill:
            self.proc.kill()
        for t in self.threads:
            t.join()


class Drawer:
    """`drawer(spec)` is a Future of the spec's SVG, drawn in a worker process (the one with the
    fewest charts waiting); use as a context manager: the workers stop on leaving it (at once
    when leaving on an error)."""

    def __init__(self, processes: int | None = None):
        self.processes = processes or workers()
        self._workers: list[_Worker] = []

    def __enter__(self) -> Drawer:
        self._workers = [_Worker() for _ in range(self.processes)]
        return self

    def __exit__(self, exc_type, *exc) -> None:
        running, self._workers = self._workers, []
        for w in running:
            w.close(kill=exc_type is not None)

    def __call__(self, vl_spec: dict[str, Any]) -> Future:
        return self._submit({"spec": vl_spec})

    def raster(self, svg_text: str, scale: float = PRINT_SCALE) -> Future:
        """A Future of the drawn chart as PNG, base64-encoded (for a data: URL)."""
        return self._submit({"svg": svg_text, "scale": scale})

    def _submit(self, request: dict[str, Any]) -> Future:
        if not self._workers:
            raise RuntimeError("Drawer used outside its `with` block")
        return min(self._workers, key=_Worker.load).submit(request)


def drawn(svg_or_future: str | Future | None) -> str | None:
    """A chart's SVG, waiting for its worker when it was drawn in one."""
    return svg_or_future.result() if isinstance(svg_or_future, Future) else svg_or_future
