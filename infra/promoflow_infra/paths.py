"""Where PromoFlow's repository and run directory are on this machine."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (this package lives in ``<repo>/infra/promoflow_infra``).
REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_SCRIPT = REPO_ROOT / "infra" / "kafka" / "kafka.sh"
POSTGRES_SCRIPT = REPO_ROOT / "infra" / "postgres" / "postgres.sh"


def run_dir() -> Path:
    """The run directory for state and logs: ``$PROMOFLOW_RUN_DIR`` or ``<repo>/.run``."""
    return Path(os.environ.get("PROMOFLOW_RUN_DIR", REPO_ROOT / ".run")).resolve()
