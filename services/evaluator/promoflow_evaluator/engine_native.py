"""Which build of the engine runs: the mypyc-compiled one, or its Python sources.

The engine's modules (all of ``promoflow_evaluator/engine`` but its ``__init__``) are plain,
fully annotated Python that mypyc compiles to C extensions: ``python -m
promoflow_infra.engine_build`` (``make install``, ``make engine``) writes them with their
runtime library into ``engine/_compiled/`` (git-ignored) and a stamp, ``BUILD.json``. Compiled,
an evaluation costs about 60 % of the interpreted one (issue 5's figures in
``benchmarks/engine_bench.py``); the results are identical (``tests/unit/engine/
test_compiled_build.py``).

:func:`select_build` runs once, when ``promoflow_evaluator.engine`` is imported, before any
engine module: it puts ``_compiled`` ahead of the sources on the package's ``__path__`` only when
the stamp is the stamp of the sources beside it (a SHA-256 over every compiled source and every
``promoflow_contracts`` module, whose classes the compiled code checks, plus the interpreter's
extension suffix). An edited source therefore never runs as a stale compiled copy: the engine
runs interpreted until the next build.

``PROMOFLOW_ENGINE_BUILD`` chooses: ``auto`` (default: compiled when current, else interpreted),
``interpreted`` (always the sources: debugging, coverage), ``compiled`` (refuse to import without
a current build: ``make test`` in CI, production images).

Only the standard library here: the builder imports this module without importing the engine.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

ENV = "PROMOFLOW_ENGINE_BUILD"
MODES = ("auto", "interpreted", "compiled")
#: the compiled modules and their runtime library, inside the engine package
COMPILED_DIR = "_compiled"
STAMP_FILE = "BUILD.json"
#: engine modules that stay interpreted: the package's ``__init__`` runs the selection
NOT_COMPILED = ("__init__.py",)


@dataclass(frozen=True, slots=True)
class BuildChoice:
    """The build in use (``"compiled"`` or ``"interpreted"``) and, when interpreted although a
    compiled build was allowed, why (e.g. ``"the sources changed since it was built"``)."""

    build: str
    reason: str | None = None


def engine_dir() -> Path:
    """``promoflow_evaluator/engine`` (located without importing it)."""
    return Path(__file__).resolve().parent / "engine"


def compiled_sources(engine: Path | None = None) -> list[Path]:
    """The engine's source files mypyc compiles, sorted (``engine/**/*.py`` but the package
    ``__init__``)."""
    root = engine or engine_dir()
    return sorted(
        path
        for path in root.rglob("*.py")
        if COMPILED_DIR not in path.relative_to(root).parts
        and not (path.parent == root and path.name in NOT_COMPILED)
    )


def source_stamp(engine: Path | None = None) -> str:
    """SHA-256 (hex) of the compiled sources, the ``promoflow_contracts`` modules and the
    interpreter's extension suffix: equal stamps mean the build matches what would run."""
    root = engine or engine_dir()
    digest = hashlib.sha256(str(sysconfig.get_config_var("EXT_SUFFIX")).encode())
    spec = importlib.util.find_spec("promoflow_contracts")
    locations = (spec.submodule_search_locations or []) if spec is not None else []
    contracts = sorted(path for location in locations for path in Path(location).glob("*.py"))
    for path in [*compiled_sources(root), *contracts]:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_problem(engine: Path | None = None) -> str | None:
    """Why the compiled build in ``engine/_compiled`` cannot be used (None when it can)."""
    root = engine or engine_dir()
    try:
        stamp = json.loads((root / COMPILED_DIR / STAMP_FILE).read_text())
    except FileNotFoundError:
        return "the engine has not been compiled (python -m promoflow_infra.engine_build)"
    except (OSError, ValueError) as exc:
        return f"unreadable {COMPILED_DIR}/{STAMP_FILE}: {exc}"
    if stamp.get("sources") != source_stamp(root):
        return "the sources changed since it was built (python -m promoflow_infra.engine_build)"
    if not list((root / COMPILED_DIR).glob(f"*__mypyc{sysconfig.get_config_var('EXT_SUFFIX')}")):
        return f"its runtime library is missing from {COMPILED_DIR}"
    return None


def _load_runtime(compiled: Path) -> None:
    """Import mypyc's runtime library of the build (each compiled module imports it by its
    top-level name) from ``compiled``, without putting that folder on ``sys.path``."""
    suffix = str(sysconfig.get_config_var("EXT_SUFFIX"))
    for library in compiled.glob(f"*__mypyc{suffix}"):
        name = library.name.removesuffix(suffix)
        if name in sys.modules:
            continue
        loader = importlib.machinery.ExtensionFileLoader(name, str(library))
        spec = importlib.util.spec_from_file_location(name, library, loader=loader)
        if spec is None:  # pragma: no cover - the file was just listed
            raise ImportError(f"cannot load {library}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)


def select_build(package_path: list[str], mode: str | None = None) -> BuildChoice:
    """Choose the engine's build and, when compiled, put ``_compiled`` first on
    ``package_path`` (the engine package's ``__path__``). ``mode`` defaults to the
    ``PROMOFLOW_ENGINE_BUILD`` variable.

    Raises :class:`ImportError` for an unknown mode, or in ``compiled`` mode when no current
    build exists (the message says why and how to build).
    """
    chosen = mode if mode is not None else os.environ.get(ENV, "auto")
    if chosen not in MODES:
        raise ImportError(f"{ENV}={chosen!r}: expected one of {', '.join(MODES)}")
    if chosen == "interpreted":
        return BuildChoice("interpreted", f"{ENV}=interpreted")
    root = Path(package_path[-1])
    problem = build_problem(root)
    if problem is not None:
        if chosen == "compiled":
            raise ImportError(f"{ENV}=compiled, but {problem}")
        return BuildChoice("interpreted", problem)
    compiled = root / COMPILED_DIR
    _load_runtime(compiled)
    if str(compiled) not in package_path:
        package_path.insert(0, str(compiled))
    return BuildChoice("compiled")
