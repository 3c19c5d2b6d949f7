"""``python -m promoflow_compiler <command>``: the processes the launcher starts.

Commands: ``api`` (HTTP API), ``migrate`` (Alembic to head), ``relay`` (outbox -> Kafka),
``scheduler`` (expiry/start by schedule), ``limits-consumer`` (limit state from the collector).
Configuration comes from ``PROMOFLOW_*`` environment variables (see ``config.Settings``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


LogLevel = Annotated[str, typer.Option(help="log level")]


@app.command()
def api(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    log_level: LogLevel = "info",
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    _logging(log_level)
    uvicorn.run(
        "promoflow_compiler.entrypoints.api:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )


@app.command()
def migrate() -> None:
    """Upgrade the HO database (PROMOFLOW_HO_DATABASE_URL) to the newest migration."""
    from promoflow_compiler.adapters.migrate import upgrade_to_head
    from promoflow_compiler.config import Settings

    upgrade_to_head(Settings().database_url)
    typer.echo("ho schema: at head")


def _run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)`` until SIGINT/SIGTERM sets ``stop``."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(runner())


@app.command()
def relay(
    once: Annotated[bool, typer.Option(help="publish what is pending, then exit")] = False,
    batch_size: Annotated[int | None, typer.Option(help="rows per batch")] = None,
    log_level: LogLevel = "info",
) -> None:
    """Publish the outbox to Kafka (promotions.v1) until stopped (SIGTERM/SIGINT)."""
    from promoflow_compiler.bootstrap import bootstrap
    from promoflow_compiler.config import Settings

    _logging(log_level)
    settings = Settings()
    if batch_size is not None:
        settings = settings.model_copy(update={"relay_batch_size": batch_size})
    container = bootstrap(settings)
    outbox_relay = container.relay()

    async def main(stop: asyncio.Event) -> None:
        try:
            if once:
                typer.echo(f"relay: {await outbox_relay.drain()} records published")
            else:
                await outbox_relay.run(stop)
        finally:
            await outbox_relay.close()
            container.close()

    _run_until_signalled(main)


@app.command()
def scheduler(
    once: Annotated[bool, typer.Option(help="one pass, then exit")] = False,
    interval: Annotated[float | None, typer.Option(help="seconds between passes")] = None,
    log_level: LogLevel = "info",
) -> None:
    """Withdraw ended promotions and publish started ones, every ``interval`` seconds."""
    from promoflow_compiler.bootstrap import bootstrap
    from promoflow_compiler.config import Settings

    _logging(log_level)
    container = bootstrap(Settings())
    every = interval or container.settings.scheduler_interval

    async def main(stop: asyncio.Event) -> None:
        try:
            while True:
                changes = await asyncio.to_thread(container.scheduler.tick)
                typer.echo(f"scheduler: {len(changes)} promotions changed")
                if once:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=every)
                if stop.is_set():
                    return
        finally:
            container.close()

    _run_until_signalled(main)


@app.command("limits-consumer")
def limits_consumer(log_level: LogLevel = "info") -> None:
    """Consume limits.v1 (group compiler-limits) and republish promotions with their limit
    state; malformed records go to limits.v1.dlq."""
    from promoflow_compiler.bootstrap import bootstrap
    from promoflow_compiler.config import Settings

    _logging(log_level)
    container = bootstrap(Settings())
    consumer = container.limits_consumer()

    async def main(stop: asyncio.Event) -> None:
        try:
            await consumer.run(stop)
        finally:
            container.close()

    _run_until_signalled(main)
