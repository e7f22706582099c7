"""Which files of the package a piece of code can depend on (what a stored SQL template's
validity is checked against, `fastpath.current`): its modules' static import closure and the
package's data files. Static, so a module reached only through `importlib` is not seen; none
of the code this serves does that (the registry's loader is not part of an indicator)."""
from __future__ import annotations

import ast
import functools
from pathlib import Path

from aiatlas import fastpath


def of(*code) -> list[str]:
    """The package files these functions (and the functions they wrap) and modules (by name)
    can depend on: the modules they are defined in, every module those import, at any depth
    and from any line, with their packages' __init__, and every data file of the package."""
    todo = [c for c in code if isinstance(c, str)]
    todo += [f.__module__ for f in _functions([c for c in code if not isinstance(c, str)])]
    seen: set[Path] = set()
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None or path in seen:
            continue
        seen.add(path)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))] + _imports(path)
    return sorted({str(p.relative_to(fastpath.PACKAGE)) for p in seen} | set(_data_files()))


@functools.cache  # (the package's files do not change under a running process)
def _data_files() -> tuple[str, ...]:
    return tuple(str(p.relative_to(fastpath.PACKAGE)) for p in fastpath.PACKAGE.rglob("*")
                 if p.suffix in fastpath.DATA_SUFFIXES and "__pycache__" not in p.parts)


def _functions(found: list) -> list:
    """These functions and, at any depth, the functions their closures hold (a view's wrapper
    holds the indicator's own function)."""
    out: list = []
    while found:
        f = found.pop()
        if callable(f) and hasattr(f, "__code__") and f not in out:
            out.append(f)
            found += [c.cell_contents for c in f.__closure__ or () if callable(c.cell_contents)]
    return out


@functools.cache
def _module_file(name: str) -> Path | None:
    """The file of a module of this package (None for any other module)."""
    parts = name.split(".")
    if parts[0] != "aiatlas":
        return None
    base = fastpath.PACKAGE.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@functools.cache
def _imports(path: Path) -> list[str]:
    """Every module an import statement of the file names (`from a import b`: a, and a.b when
    b is a module)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names
