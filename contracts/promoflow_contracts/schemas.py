"""JSON Schemas of every contract, generated from the models into ``contracts/schemas/``.

``python -m promoflow_contracts.schemas`` rewrites the files; ``--check`` exits 1 when a file is
stale (the test suite runs the check). Non-Python consumers (POS vendors, BI tools) read these.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.checkout import (
    CheckoutRequest,
    CheckoutResponse,
    VoidRequest,
    VoidResponse,
)
from promoflow_contracts.events import EVENT_TYPES
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

MODELS: tuple[type[BaseModel], ...] = (
    CompiledPromotion,
    EvaluateRequest,
    EvaluationResult,
    CheckoutRequest,
    CheckoutResponse,
    VoidRequest,
    VoidResponse,
    *EVENT_TYPES,
)


def render_all() -> dict[str, str]:
    """File name -> schema text for every model (validation-mode schemas, sorted keys)."""
    rendered: dict[str, str] = {}
    for model in MODELS:
        schema: dict[str, Any] = model.model_json_schema(mode="validation")
        rendered[f"{model.__name__}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return rendered


def stale_files(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of schema files that are missing, different from the models, or left over."""
    expected = render_all()
    stale = [
        name
        for name, text in expected.items()
        if not (directory / name).is_file() or (directory / name).read_text() != text
    ]
    if directory.is_dir():
        stale += [p.name for p in directory.glob("*.json") if p.name not in expected]
    return sorted(stale)


def write_all(directory: Path = SCHEMA_DIR) -> list[str]:
    """Write every schema file, delete left-over ones, and return the names written."""
    directory.mkdir(parents=True, exist_ok=True)
    expected = render_all()
    for path in directory.glob("*.json"):
        if path.name not in expected:
            path.unlink()
    for name, text in expected.items():
        (directory / name).write_text(text)
    return sorted(expected)


def main(argv: list[str]) -> int:
    """CLI: ``--check`` reports stale files (exit 1), otherwise rewrites them."""
    if "--check" in argv:
        stale = stale_files()
        for name in stale:
            print(f"stale schema: contracts/schemas/{name}", file=sys.stderr)
        if stale:
            print("run: uv run python -m promoflow_contracts.schemas", file=sys.stderr)
        return 1 if stale else 0
    for name in write_all():
        print(f"wrote contracts/schemas/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
