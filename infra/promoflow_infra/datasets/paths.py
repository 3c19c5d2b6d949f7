"""Where the shared datasets are: ``$PROMOFLOW_DATA_DIR`` or ``<repo>/../shared/data``."""

from __future__ import annotations

import os
from pathlib import Path

from promoflow_infra.paths import REPO_ROOT


def data_dir() -> Path | None:
    """The dataset directory, or None when this clone has no ``../shared/data``."""
    candidate = Path(os.environ.get("PROMOFLOW_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
    return candidate if candidate.is_dir() else None
