"""The ``promoflow`` command: bring the whole chain up, show its state, take it down.

``promoflow run`` starts everything and stays in the foreground until Ctrl-C, then stops it.
``promoflow up`` starts and returns; ``promoflow down`` stops; ``promoflow status`` shows.
"""

from __future__ import annotations

import signal
import sys
import threading

import typer

from promoflow_infra.platform import Platform
from promoflow_infra.processes import PlatformError

app = typer.Typer(add_completion=False, help="PromoFlow launcher.", no_args_is_help=True)


def _start(platform: Platform) -> None:
    try:
        platform.start(echo=sys.stdout)
    except PlatformError as exc:
        typer.echo(str(exc), err=True)
        platform.stop(echo=sys.stdout)
        raise typer.Exit(1) from exc


def _print_endpoints(platform: Platform) -> None:
    typer.echo("")
    typer.echo("PromoFlow is up:")
    typer.echo(f"  kafka     {platform.kafka.bootstrap_servers}")
    typer.echo(f"  postgres  {platform.postgres.url}")
    typer.echo(f"  topics    {', '.join(t.name for t in platform.topics.all())}")


@app.command()
def run() -> None:
    """Start the platform and every service, print their endpoints, stop all on Ctrl-C."""
    platform = Platform.from_settings()
    stop = threading.Event()
    # Ctrl-C and SIGTERM only set the event, so an interrupt at any moment (even during
    # start-up) still reaches the clean stop below instead of a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        _start(platform)
        _print_endpoints(platform)
        typer.echo("Press Ctrl-C to stop.")
        stop.wait()
    finally:
        typer.echo("stopping ...")
        platform.stop(echo=sys.stdout)


@app.command()
def up() -> None:
    """Start the platform in the background and return."""
    platform = Platform.from_settings()
    _start(platform)
    _print_endpoints(platform)


@app.command()
def down() -> None:
    """Stop everything ``up`` or ``run`` started."""
    Platform.from_settings().stop(echo=sys.stdout)


@app.command()
def status() -> None:
    """Show which parts are running (exit 1 when something is down)."""
    platform = Platform.from_settings()
    healthy = True
    for name, part in (("kafka", platform.kafka), ("postgres", platform.postgres)):
        running = part.is_running()
        healthy &= running
        typer.echo(f"{name:9} {'running' if running else 'stopped'}")
    raise typer.Exit(0 if healthy else 1)


if __name__ == "__main__":
    app()
