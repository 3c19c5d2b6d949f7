"""The engine's two builds: which one runs, and that both give the same results.

``promoflow_evaluator.engine_native`` picks the mypyc-compiled build only when its stamp is the
stamp of the sources beside it; ``make test`` runs the suite with
``PROMOFLOW_ENGINE_BUILD=compiled``, so every engine test ran against the compiled build there,
and the parity test below compares it with the interpreted sources cart by cart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from promoflow_evaluator import engine
from promoflow_evaluator.engine_native import (
    COMPILED_DIR,
    ENV,
    STAMP_FILE,
    build_problem,
    compiled_sources,
    select_build,
    source_stamp,
)

PARITY = Path(__file__).resolve().parent / "compiled_parity.py"


@pytest.fixture
def fake_engine(tmp_path: Path) -> Path:
    """An engine-shaped package: ``__init__``, two modules, a subpackage."""
    root = tmp_path / "engine"
    (root / "types").mkdir(parents=True)
    (root / "__init__.py").write_text("# selects the build\n")
    (root / "cart.py").write_text("X = 1\n")
    (root / "types" / "__init__.py").write_text("")
    (root / "types" / "sets.py").write_text("Y = 2\n")
    return root


def _stamp(root: Path, sources: str) -> None:
    compiled = root / COMPILED_DIR
    compiled.mkdir(exist_ok=True)
    (compiled / STAMP_FILE).write_text(json.dumps({"sources": sources}))


def test_the_compiled_sources_are_every_module_but_the_package_init(fake_engine: Path) -> None:
    names = [str(p.relative_to(fake_engine)) for p in compiled_sources(fake_engine)]

    assert names == ["cart.py", "types/__init__.py", "types/sets.py"]


def test_the_stamp_follows_compiled_sources_only(fake_engine: Path) -> None:
    before = source_stamp(fake_engine)
    (fake_engine / "__init__.py").write_text("# edited, still interpreted\n")
    assert source_stamp(fake_engine) == before

    (fake_engine / "types" / "sets.py").write_text("Y = 3\n")
    assert source_stamp(fake_engine) != before


def test_a_missing_build_is_reported_and_the_sources_run(fake_engine: Path) -> None:
    path = [str(fake_engine)]

    choice = select_build(path, "auto")

    assert choice.build == "interpreted"
    assert "has not been compiled" in (choice.reason or "")
    assert path == [str(fake_engine)]


def test_a_stale_build_never_runs(fake_engine: Path) -> None:
    _stamp(fake_engine, source_stamp(fake_engine))
    (fake_engine / "cart.py").write_text("X = 'edited after the build'\n")
    path = [str(fake_engine)]

    choice = select_build(path, "auto")

    assert choice.build == "interpreted"
    assert "sources changed" in (choice.reason or "")
    assert path == [str(fake_engine)]


def test_a_current_stamp_without_the_runtime_library_is_not_used(fake_engine: Path) -> None:
    _stamp(fake_engine, source_stamp(fake_engine))

    assert "runtime library is missing" in (build_problem(fake_engine) or "")


def test_compiled_mode_refuses_to_run_the_sources(fake_engine: Path) -> None:
    _stamp(fake_engine, "an older build")

    with pytest.raises(ImportError, match=rf"{ENV}=compiled, but the sources changed"):
        select_build([str(fake_engine)], "compiled")


def test_interpreted_mode_ignores_a_build(fake_engine: Path) -> None:
    path = [str(fake_engine)]

    choice = select_build(path, "interpreted")

    assert choice.build == "interpreted"
    assert path == [str(fake_engine)]


def test_an_unknown_mode_names_the_variable() -> None:
    with pytest.raises(ImportError, match=rf"{ENV}='fast': expected one of auto"):
        select_build(["/nowhere"], "fast")


def test_the_loaded_build_is_the_one_the_environment_asks_for() -> None:
    wanted = os.environ.get(ENV, "auto")
    if wanted == "auto":
        expected = "compiled" if build_problem() is None else "interpreted"
    else:
        expected = wanted

    assert engine.BUILD.build == expected
    if expected == "compiled":
        assert Path(engine.cart.__file__ or "").suffix == ".so"


def _hashes(build: str, carts: int) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(PARITY), str(carts)],
        env={**os.environ, ENV: build},
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    lines = done.stdout.split()
    assert lines[0] == build
    return lines[1:]


def test_compiled_and_interpreted_builds_give_identical_results() -> None:
    problem = build_problem()
    if problem is not None:
        if os.environ.get(ENV) == "compiled":
            pytest.fail(f"{ENV}=compiled but {problem}")
        pytest.skip(f"no compiled build: {problem}")

    compiled = _hashes("compiled", 300)
    interpreted = _hashes("interpreted", 300)

    assert len(compiled) == 300
    differing = [i for i, (a, b) in enumerate(zip(compiled, interpreted, strict=True)) if a != b]
    assert differing == []
