"""The JSON Schemas in contracts/schemas are generated from the models and must be current."""

from __future__ import annotations

from pathlib import Path

from promoflow_contracts.schemas import SCHEMA_DIR, stale_files, write_all


def test_committed_schemas_match_the_models() -> None:
    stale = stale_files()
    assert stale == [], f"stale schemas {stale}: run `uv run python -m promoflow_contracts.schemas`"


def test_a_changed_schema_file_is_reported_stale(tmp_path: Path) -> None:
    write_all(tmp_path)
    target = tmp_path / "CompiledPromotion.json"
    target.write_text(target.read_text().replace('"title"', '"titel"', 1))
    (tmp_path / "Leftover.json").write_text("{}")
    assert stale_files(tmp_path) == ["CompiledPromotion.json", "Leftover.json"]
    assert SCHEMA_DIR.name == "schemas"
