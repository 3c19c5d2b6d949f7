"""Run the relay in this process and SIGKILL it right after the broker acknowledged a batch,
before the rows are marked sent (used by test_relay.py as a subprocess).

    python -m tests.integration.compiler.relay_crash  (configured by PROMOFLOW_* env)
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Sequence

from promoflow_compiler.bootstrap import bootstrap


def _die(ids: Sequence[int]) -> None:
    print(f"published {len(ids)} rows, dying before marking them", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


async def main() -> None:
    container = bootstrap()
    await container.relay(after_publish=_die).drain()


if __name__ == "__main__":
    asyncio.run(main())
