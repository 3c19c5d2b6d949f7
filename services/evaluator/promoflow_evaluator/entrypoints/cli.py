"""``python -m promoflow_evaluator api [--host --port --workers] | relay``."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import sys
import tempfile
from typing import Annotated

import typer

app = typer.Typer(help="The store's promotion evaluator.", no_args_is_help=True)

LogLevel = Annotated[str, typer.Option(help="Logging level (DEBUG, INFO, WARNING).")]


def configure_logging(level: str) -> None:
    """Log to stderr at ``level`` (aiokafka at WARNING or above)."""
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, logging.getLogger().level))


@app.command()
def api(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (evaluators use 8100+).")] = 8101,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (uvicorn).")] = 1,
    log_level: LogLevel = "INFO",
) -> None:
    """Serve the evaluator API (evaluate, transactions, promotions, seed POS contract).

    With ``--workers`` > 1 on Linux each worker process has its own listening socket
    (``SO_REUSEPORT``, see :mod:`promoflow_evaluator.entrypoints.workers`)."""
    import uvicorn

    from promoflow_evaluator.entrypoints.workers import Supervisor, reuse_port_supported

    configure_logging(log_level)
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix=f"promoflow-evaluator-{port}-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        if workers > 1 and reuse_port_supported():
            code = Supervisor(host, port, workers, log_level).run()
            if code:
                raise typer.Exit(code)
            return
        uvicorn.run(
            "promoflow_evaluator.entrypoints.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level.lower(),
            access_log=False,
        )
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


@app.command()
def relay(log_level: LogLevel = "INFO") -> None:
    """Forward the store's outbox to Kafka (one relay per store; a lease enforces it)."""
    from promoflow_evaluator.bootstrap import build_relay

    configure_logging(log_level)
    forwarder = build_relay()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, forwarder.stop)
        await forwarder.run()

    asyncio.run(main())
