"""The ``promoflow`` command: bring the whole chain up, show its state, take it down.

``promoflow run`` starts Kafka, PostgreSQL, the topics, the schema migrations, the HO services
and an edge (edge sync + evaluator + relay) per demo store, prints their URLs, and stays in the
foreground until Ctrl-C, then stops everything. ``up`` starts and returns; ``down`` stops;
``status`` shows each process and each store's sync lag and outbox backlog; ``demo import``
and ``demo replay`` load the demo data and replay real receipts at a store. Ports and counts
come from the environment (README table).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import typer

from promoflow_infra.demo.cli import app as demo_app
from promoflow_infra.platform import Platform
from promoflow_infra.processes import PlatformError
from promoflow_infra.services import (
    COLLECTOR_PORT,
    COMPILER_PORT,
    EVALUATOR_BASE_PORT,
    StoreSite,
    Wiring,
    demo_import,
    demo_sites,
    head_office,
    migrations,
    store_edge,
)
from promoflow_infra.store_status import read_stores, render
from promoflow_infra.supervisor import ServiceFailed, Supervisor

app = typer.Typer(add_completion=False, help="PromoFlow launcher.", no_args_is_help=True)
app.add_typer(demo_app, name="demo", help="Demo data import and POS receipt replay.")


def _wiring(platform: Platform) -> Wiring:
    return Wiring(
        kafka_bootstrap=platform.kafka.bootstrap_servers,
        ho_database_url=platform.postgres.url,
        topic_prefix=platform.topics.prefix,
        run_dir=platform.kafka.run_dir.parent,
        compiler_port=int(os.environ.get("PROMOFLOW_COMPILER_PORT", COMPILER_PORT)),
        collector_port=int(os.environ.get("PROMOFLOW_COLLECTOR_PORT", COLLECTOR_PORT)),
        evaluator_workers=int(os.environ.get("PROMOFLOW_EVALUATOR_WORKERS", "2")),
    )


def _sites() -> list[StoreSite]:
    count = int(os.environ.get("PROMOFLOW_DEMO_STORES", "2"))
    base = int(os.environ.get("PROMOFLOW_EVALUATOR_BASE_PORT", EVALUATOR_BASE_PORT))
    return demo_sites(count, base)


def _migrate(wiring: Wiring) -> None:
    for name, argv, env in migrations(wiring):
        done = subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True)
        if done.returncode != 0:
            raise PlatformError(f"{name} failed:\n{(done.stdout + done.stderr)[-3000:]}")
        typer.echo(f"{name}: schema at head")


def _start(platform: Platform, supervisor: Supervisor) -> list[tuple[str, str]]:
    """Start everything; returns (name, url) of the HTTP services. Raises on failure."""
    platform.start(echo=sys.stdout)
    wiring = _wiring(platform)
    _migrate(wiring)
    sites = _sites()
    specs = head_office(wiring)
    for site in sites:
        specs += store_edge(wiring, site)
    for spec in specs:
        supervisor.start(spec)
    compiler = specs[0]  # the demo import needs the compiler API; the edges start meanwhile
    for spec in specs:
        waited = supervisor.wait_ready(spec, timeout=120)
        typer.echo(f"{spec.name}: ready in {waited:.1f}s (log {supervisor.log_path(spec.name)})")
        if spec is compiler:
            _import_demo(wiring, len(sites), supervisor)
    return [(spec.name, spec.url) for spec in specs if spec.url is not None]


def _import_demo(wiring: Wiring, stores: int, supervisor: Supervisor) -> None:
    """Run the demo import (its output goes to ``logs/demo-import.log``); print its summary."""
    name, argv, env = demo_import(wiring, stores)
    log = supervisor.log_path(name)
    done = subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True)
    log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise PlatformError(f"{name} failed (log {log}):\n{(done.stdout + done.stderr)[-3000:]}")
    summary = done.stdout.strip().splitlines()[-1:] or ["imported"]  # its last line sums up
    typer.echo(f"demo data: {summary[0]} (log {log})")


def _bring_up(platform: Platform, supervisor: Supervisor) -> None:
    try:
        urls = _start(platform, supervisor)
    except (PlatformError, ServiceFailed) as exc:
        typer.echo(str(exc), err=True)
        _bring_down(platform, supervisor)
        raise typer.Exit(1) from exc
    typer.echo("")
    typer.echo("PromoFlow is up:")
    typer.echo(f"  kafka               {platform.kafka.bootstrap_servers}")
    typer.echo(f"  postgres            {platform.postgres.url}")
    for name, url in urls:
        typer.echo(f"  {name:19} {url}")


def _bring_down(platform: Platform, supervisor: Supervisor) -> None:
    stopped = supervisor.stop_all()
    if stopped:
        typer.echo(f"stopped {len(stopped)} services")
    platform.stop(echo=sys.stdout)


@app.command()
def run() -> None:
    """Start the platform and every service, print their endpoints, stop all on Ctrl-C."""
    platform = Platform.from_settings()
    supervisor = Supervisor(platform.kafka.run_dir.parent)
    stop = threading.Event()
    # Ctrl-C and SIGTERM only set the event, so an interrupt at any moment (even during
    # start-up) still reaches the clean stop below instead of a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        _bring_up(platform, supervisor)
        typer.echo("Press Ctrl-C to stop.")
        stop.wait()
    finally:
        typer.echo("stopping ...")
        _bring_down(platform, supervisor)


@app.command()
def up() -> None:
    """Start everything in the background and return."""
    platform = Platform.from_settings()
    _bring_up(platform, Supervisor(platform.kafka.run_dir.parent))


@app.command()
def down() -> None:
    """Stop everything ``up`` or ``run`` started."""
    platform = Platform.from_settings()
    _bring_down(platform, Supervisor(platform.kafka.run_dir.parent))


@app.command()
def status() -> None:
    """Show each process, then each store's sync lag and outbox backlog (exit 1: one is down)."""
    platform = Platform.from_settings()
    run_dir = platform.kafka.run_dir.parent
    parts = {"kafka": platform.kafka.is_running(), "postgres": platform.postgres.is_running()}
    parts.update(Supervisor(run_dir).status())
    for name, running in parts.items():
        typer.echo(f"{name:28} {'running' if running else 'stopped'}")
    stores = read_stores(run_dir)
    if stores:
        typer.echo("")
        for line in render(stores):
            typer.echo(line)
    raise typer.Exit(0 if all(parts.values()) else 1)


if __name__ == "__main__":
    app()
