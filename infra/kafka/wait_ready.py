"""Wait until a Kafka broker really answers client requests.

Used by ``infra/kafka/kafka.sh start``: an open TCP port is not enough (a KRaft broker
accepts connections before it is unfenced, and the port may even belong to some other
broker), so this probe connects an ``AIOKafkaAdminClient``, sends a Metadata request and
requires at least one registered broker and an active controller.  With ``--cluster-id``
the answering cluster must also be the one formatted in our run dir.

Exit codes: 0 ready, 1 timed out, 2 the broker process (``--pid``) died while waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import time
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

EXIT_READY = 0
EXIT_TIMEOUT = 1
EXIT_DIED = 2


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited but not yet reaped) still accepts signal 0.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


async def _describe(bootstrap: str, request_timeout_s: float) -> dict[str, Any]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="promoflow-kafka-wait-ready",
        request_timeout_ms=int(request_timeout_s * 1000),
        retry_backoff_ms=100,
    )
    try:
        async with asyncio.timeout(request_timeout_s):
            await admin.start()
            info: dict[str, Any] = await admin.describe_cluster()
            return info
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


def _check(info: dict[str, Any], cluster_id: str | None) -> str | None:
    """Return None when the metadata looks ready, else the reason it does not."""
    brokers = info.get("brokers") or []
    if not brokers:
        return "metadata lists no broker yet"
    if info.get("controller_id", -1) < 0:
        return "no active controller yet"
    if cluster_id and info.get("cluster_id") != cluster_id:
        return f"answered by another cluster (cluster id {info.get('cluster_id')!r})"
    return None


async def wait_ready(
    bootstrap: str, timeout_s: float, pid: int | None, cluster_id: str | None, verbose: bool
) -> int:
    deadline = time.monotonic() + timeout_s
    last_reason = "no attempt made"
    while True:
        if pid is not None and not _pid_alive(pid):
            print(f"wait_ready: broker process {pid} exited", file=sys.stderr)
            return EXIT_DIED
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            print(f"wait_ready: timed out after {timeout_s:.0f}s ({last_reason})", file=sys.stderr)
            return EXIT_TIMEOUT
        try:
            info = await _describe(bootstrap, min(5.0, max(remaining, 0.5)))
        except Exception as exc:
            text = str(exc)
            name = type(exc).__name__
            last_reason = text if text.startswith(name) else f"{name}: {text}".rstrip(": ")
        else:
            reason = _check(info, cluster_id)
            if reason is None:
                if verbose:
                    print(
                        f"wait_ready: cluster {info.get('cluster_id')} "
                        f"brokers={[b['node_id'] for b in info['brokers']]} "
                        f"controller={info.get('controller_id')}",
                        file=sys.stderr,
                    )
                return EXIT_READY
            last_reason = reason
            if cluster_id and "another cluster" in reason:
                # Someone else owns this port; waiting will not change that.
                print(f"wait_ready: {reason}", file=sys.stderr)
                return EXIT_TIMEOUT
        await asyncio.sleep(min(0.25, max(deadline - time.monotonic(), 0)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="host:port")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds (default 90)")
    parser.add_argument("--pid", type=int, default=None, help="give up if this pid exits")
    parser.add_argument("--cluster-id", default=None, help="expected KRaft cluster id")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    # aiokafka logs every refused connection at ERROR; we report the outcome ourselves.
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    return asyncio.run(
        wait_ready(args.bootstrap, args.timeout, args.pid, args.cluster_id, args.verbose)
    )


if __name__ == "__main__":
    sys.exit(main())
