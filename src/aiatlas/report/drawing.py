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
import fcntl
import gettext
import hashlib
import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
import unicodedata
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import platformdirs

from aiatlas.errors import AiatlasError

# Debian's fonts-noto-cjk; registering it lets vl-convert draw Japanese labels instead of boxes.
CJK_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
# The Japanese face of Noto Sans CJK, cut to the characters the report writes: vl-convert opens
# and parses a chart's font for every label it measures or draws, and the whole 65,535-glyph
# collection (19 MB) made a Japanese chart take three times an English one. Charts name this
# family first and Noto Sans CJK JP after it: a reader's browser, which lacks the cut, and a
# character outside the cut (a name in the data) are served by the whole font.
SUBSET_FAMILY = "Noto Sans CJK JP aiatlas"
CJK_FACES = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
CJK_FACE_NAME = "Noto Sans CJK JP"  # the face of each collection that is cut
SUBSET_VERSION = "1"  # part of the cache key: raise it when the cut changes
# Characters every Japanese chart may write besides the package's own text: ASCII and Latin,
# Greek, punctuation, arrows, CJK punctuation, kana, full-width forms.
SUBSET_RANGES = ((0x20, 0x250), (0x370, 0x400), (0x2000, 0x2070), (0x2190, 0x2200),
                 (0x3000, 0x3100), (0xFF00, 0xFF66))
TIME_LOCALES = {"en": "en-US", "ja": "ja-JP"}  # d3 time-format locales: month names on date axes
MAX_WORKERS = 4
PRINT_SCALE = 2.5  # a 560 px chart rasterised for print: ~250 dpi across an A4 page's text width
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding `aiatlas/`
_fonts_lock = threading.Lock()
_fonts_done = False
_cut_chars: set[str] = set()  # the characters of the registered cut (none: no cut)


def register_fonts() -> bool:
    """Register the CJK font directories, and the cut of its Japanese face (`cjk_subset`), with
    vl-convert once; True when a CJK font directory was found."""
    global _fonts_done
    import vl_convert as vlc

    with _fonts_lock:
        if not _fonts_done:
            for d in CJK_FONT_DIRS:
                if d.is_dir():
                    vlc.register_font_directory(str(d))
            cut = cjk_subset()
            if cut is not None:
                vlc.register_font_directory(str(cut))
                _cut_chars.update((cut / "done").read_text(encoding="utf-8"))
            _fonts_done = True
    return any(d.is_dir() for d in CJK_FONT_DIRS)


def _fitted(vl_spec: dict[str, Any]) -> dict[str, Any]:
    """The spec, naming the whole font instead of the cut when the cut lacks one of its
    characters (or there is none): a label the cut cannot write would be set in another font."""
    text = json.dumps(vl_spec, ensure_ascii=False)
    if SUBSET_FAMILY not in text or (_cut_chars and set(text) <= _cut_chars):
        return vl_spec
    return json.loads(text.replace(SUBSET_FAMILY + ", ", ""))


def subset_chars() -> str:
    """The characters the cut holds: SUBSET_RANGES, every character of the package's own text
    (the catalogues, the curated records, names and labels in the code) and the Japanese names
    of every country (pycountry's catalogue)."""
    chars = {chr(c) for lo, hi in SUBSET_RANGES for c in range(lo, hi)}
    package = _PACKAGE_ROOT / "aiatlas"
    for suffix in ("py", "yaml", "csv", "j2"):
        for path in package.rglob(f"*.{suffix}"):
            chars.update(path.read_text(encoding="utf-8", errors="ignore"))
    spec = importlib.util.find_spec("pycountry")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        mo = Path(folder) / "locales" / "ja" / "LC_MESSAGES" / "iso3166-1.mo"
        if mo.is_file():
            with mo.open("rb") as f:
                chars.update("".join(gettext.GNUTranslations(f)._catalog.values()))
    # spaces kept: a no-break space is no printable character, and one in the data (a model
    # named "ALLaM\xa0adapted 70B") had its whole chart drawn with the whole font
    return "".join(sorted(c for c in chars if c.isprintable() or unicodedata.category(c) == "Zs"))


def _cjk_files() -> dict[str, Path]:
    return {style: d / name for style, name in CJK_FACES.items() for d in CJK_FONT_DIRS
            if (d / name).is_file()}


def cjk_subset(cache: Path | None = None) -> Path | None:
    """A folder holding the Japanese face of Noto Sans CJK (regular and bold) cut to
    `subset_chars()` and named SUBSET_FAMILY, made once and kept in the user's cache (keyed by
    the characters, the font files and fontTools' version); None when the fonts or fontTools
    are missing or the cache cannot be written (the whole font then draws every chart)."""
    files = _cjk_files()
    if len(files) != len(CJK_FACES) or importlib.util.find_spec("fontTools") is None:
        return None
    import fontTools

    chars = subset_chars()
    key = hashlib.sha256("\n".join([SUBSET_VERSION, fontTools.version, chars] + [
        f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files.values()]).encode()).hexdigest()
    folder = (cache or Path(platformdirs.user_cache_dir("aiatlas"))) / "fonts" / key[:16]
    try:
        if not (folder / "done").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / "lock").open("w") as lock:  # workers starting together cut it once
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not (folder / "done").is_file():
                    for style, path in files.items():
                        _cut(path, chars, style, folder / f"NotoSansCJKjp-aiatlas-{style}.otf")
                    (folder / "done").write_text(chars, encoding="utf-8")
    except OSError:
        return None
    return folder


def _cut(path: Path, chars: str, style: str, dest: Path) -> None:
    """Cut the collection's Japanese face to `chars`, renamed SUBSET_FAMILY, into dest."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    number = next(i for i, f in enumerate(TTCollection(str(path), lazy=True))
                  if f["name"].getDebugName(1) == CJK_FACE_NAME)
    # bounding boxes kept as the original's, not recomputed from every outline (40% of the time)
    font = TTFont(str(path), fontNumber=number, lazy=True, recalcBBoxes=False,
                  recalcTimestamp=False)
    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"],
                             notdef_outline=True)
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(font)
    postscript = SUBSET_FAMILY.replace(" ", "")
    for rec in font["name"].names:  # every language's record: the cut never answers to the original
        if rec.nameID in (1, 16):
            rec.string = SUBSET_FAMILY
        elif rec.nameID in (4, 18):
            rec.string = f"{SUBSET_FAMILY} {style}"
        elif rec.nameID in (3, 6):
            rec.string = f"{postscript}-{style}"
    tmp = dest.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(tmp))
    os.replace(tmp, dest)


def svg(vl_spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to an SVG string offline (no network, fonts registered first),
    in the language its `usermeta` names (month names on date axes)."""
    import vl_convert as vlc

    register_fonts()
    lang = (vl_spec.get("usermeta") or {}).get("lang")
    return vlc.vegalite_to_svg(_fitted(vl_spec), time_format_locale=TIME_LOCALES.get(lang, "en-US"))


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


def workers(*, printing: bool = False) -> int:
    """Drawing processes for a build: every core but the one the build computes on (at least
    one, at most MAX_WORKERS); one per core for a build that also prints (each chart drawn is
    rasterised too, and the build, its pages written, waits for them)."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 2) - (0 if printing else 1)))


class ChartError(AiatlasError):
    """A chart a worker could not draw, or a worker that stopped: one error line in the CLI."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="a chart that cannot be drawn is a bug: please report it "
                                       "with the command that showed it")


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
        line = json.dumps(request, separators=(",", ":")) + "\n"
        # The worker answers in the order lines are written and the reader pairs each answer
        # with the oldest pending future: the future and its line go in under one lock, or a
        # thread serialising a large spec lets another's line overtake it, and each then gets
        # the other's answer (a chart under another's title, or a PNG read as SVG).
        with self.lock:
            if self.stopped is not None:
                fut.set_exception(self._stopped_error())
                return fut
            self.pending.append(fut)
            self.outbox.put(line)
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

    def raster(self, svg: str | Future, scale: float = PRINT_SCALE) -> Future:
        """A Future of the drawn chart as PNG, base64-encoded (for a data: URL); given the
        Future of a chart being drawn, it is rasterised as soon as it is drawn."""
        if not isinstance(svg, Future):
            return self._submit({"svg": svg, "scale": scale})
        out: Future = Future()

        def drawn_then(done: Future) -> None:
            try:
                _relay(self._submit({"svg": done.result(), "scale": scale}), out)
            except Exception as e:  # noqa: BLE001  the chart was not drawn: its raster fails so
                out.set_exception(e)

        svg.add_done_callback(drawn_then)
        return out

    def _submit(self, request: dict[str, Any]) -> Future:
        if not self._workers:
            raise RuntimeError("Drawer used outside its `with` block")
        return min(self._workers, key=_Worker.load).submit(request)


def _relay(source: Future, target: Future) -> None:
    """Settle target as source settles."""
    def settle(done: Future) -> None:
        if done.exception() is not None:
            target.set_exception(done.exception())
        else:
            target.set_result(done.result())
    source.add_done_callback(settle)


def drawn(svg_or_future: str | Future | None) -> str | None:
    """A chart's SVG, waiting for its worker when it was drawn in one."""
    return svg_or_future.result() if isinstance(svg_or_future, Future) else svg_or_future
