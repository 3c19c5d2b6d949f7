"""Compile the promotion engine with mypyc: ``python -m promoflow_infra.engine_build``.

Usage::

    python -m promoflow_infra.engine_build            # build when the sources changed
    python -m promoflow_infra.engine_build --force    # build anyway
    python -m promoflow_infra.engine_build --check    # exit 1 when no current build exists

mypyc (shipped with mypy) type-checks the engine's modules and turns them into C; setuptools'
``build_ext`` compiles that with the machine's C compiler (gcc; Python's headers come with the
interpreter) into ``promoflow_evaluator/engine/_compiled/``, with the stamp
:mod:`promoflow_evaluator.engine_native` compares against the sources at import. The build runs
in a temporary folder and replaces ``_compiled`` at the end in one rename, so a process that
imports the engine meanwhile sees the old build or the new one, never half of one. About two
minutes on two cores; nothing to do (well under a second) when the stamp is current.

Exit codes: 0 built or current, 1 ``--check`` found no current build, 2 the build failed (the
compiler's output is printed; the engine keeps running interpreted).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from promoflow_evaluator.engine_native import (
    COMPILED_DIR,
    NOT_COMPILED,
    STAMP_FILE,
    build_problem,
    compiled_sources,
    engine_dir,
    source_stamp,
)

#: mypy settings mypyc compiles under (the repository's strict settings are for ``make lint``)
_MYPY_INI = """\
[mypy]
mypy_path = {contracts}
plugins = pydantic.mypy
explicit_package_bases = True
namespace_packages = True
cache_dir = {cache}
"""


@contextlib.contextmanager
def _working_dir(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _contracts_dir() -> Path:
    import promoflow_contracts

    return Path(promoflow_contracts.__file__).resolve().parent.parent


def compile_engine(jobs: int, out: Path) -> None:
    """mypyc + build_ext over the engine's sources; the extension modules land in ``out``
    (``out/promoflow_evaluator/engine/...`` and the runtime library at ``out``'s top).

    Raises :class:`SystemExit` (from setuptools) or :class:`RuntimeError` when compiling fails.
    """
    from mypyc.build import mypycify
    from setuptools import Distribution

    engine = engine_dir()
    service_root = engine.parent.parent  # the folder holding promoflow_evaluator/
    work = out.parent
    ini = work / "mypy.ini"
    ini.write_text(_MYPY_INI.format(contracts=_contracts_dir(), cache=work / "mypy_cache"))
    every = sorted(engine.rglob("*.py"))
    compiled = compiled_sources(engine)
    with _working_dir(service_root):
        relative = [str(p.relative_to(service_root)) for p in every]
        extensions = mypycify(
            ["--config-file", str(ini), *relative],
            only_compile_paths=[str(p.relative_to(service_root)) for p in compiled],
            opt_level="3",
            multi_file=True,  # one C file per module: build_ext compiles them in parallel
            target_dir=str(work / "c"),
        )
        dist = Distribution(
            {
                "name": "promoflow-engine-compiled",
                "ext_modules": extensions,
                "script_name": "engine_build",
                "script_args": [
                    "build_ext",
                    "--build-lib",
                    str(out),
                    "--build-temp",
                    str(work / "obj"),
                    "--parallel",
                    str(jobs),
                ],
            }
        )
        dist.parse_command_line()
        dist.run_commands()


def install(out: Path, stamp: str) -> Path:
    """Move the built modules from ``out`` into ``engine/_compiled`` (one rename) with the
    stamp; returns the folder."""
    engine = engine_dir()
    suffix = str(sysconfig.get_config_var("EXT_SUFFIX"))
    staged = engine / f"{COMPILED_DIR}.new"
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(out / "promoflow_evaluator" / "engine", staged)
    for library in out.glob(f"*{suffix}"):  # mypyc's runtime library of the group
        shutil.copy2(library, staged / library.name)
    modules = sorted(str(p.relative_to(staged)) for p in staged.rglob(f"*{suffix}"))
    import mypy.version

    (staged / STAMP_FILE).write_text(
        json.dumps(
            {
                "sources": stamp,
                "mypyc": mypy.version.__version__,
                "python": sys.version.split()[0],
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "not_compiled": list(NOT_COMPILED),
                "modules": modules,
            },
            indent=2,
        )
    )
    target = engine / COMPILED_DIR
    old = engine / f"{COMPILED_DIR}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staged.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--force", action="store_true", help="build even when current")
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="C compilers")
    args = parser.parse_args(argv)
    problem = build_problem()
    if args.check:
        print(f"compiled engine: {'current' if problem is None else problem}")
        return 0 if problem is None else 1
    if problem is None and not args.force:
        print("compiled engine: current, nothing to build")
        return 0
    started = time.perf_counter()
    stamp = source_stamp()
    print(f"compiling the engine with mypyc ({problem or 'forced'}); {args.jobs} compiler jobs")
    with tempfile.TemporaryDirectory(prefix="promoflow-engine-build-") as tmp:
        out = Path(tmp) / "lib"
        try:
            compile_engine(args.jobs, out)
        except (Exception, SystemExit) as exc:  # setuptools reports compiler errors by exiting
            print(f"compiled engine: build FAILED ({exc!r}); the engine runs interpreted")
            return 2
        target = install(out, stamp)
    modules = len(json.loads((target / STAMP_FILE).read_text())["modules"])
    print(f"compiled engine: {modules} modules in {target} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
