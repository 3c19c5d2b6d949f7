"""``promoflow demo import|replay`` (also ``python -m promoflow_infra.demo import|replay``).

``import`` loads the catalogue behind the first ``--stores`` demo stores and authors the demo
promotions through the compiler API (idempotent; exit 1 when a promotion was refused).
``replay`` replays a store's receipts against its evaluator and prints a summary; with
``--check-analytics`` it then waits for the collector's analytics to agree (exit 1 when they
do not, or when any cart failed). Defaults follow the launcher's environment
(``PROMOFLOW_COMPILER_PORT``, ``PROMOFLOW_EVALUATOR_BASE_PORT``, ``PROMOFLOW_DEMO_STORES``).
With ``--receipts-csv FILE --mapping FILE`` both commands use that receipts CSV instead
(:mod:`promoflow_infra.datasets.receipts_csv`): ``import`` imports all of its stores,
``replay`` replays its receipts at the store the ``--evaluator-url`` serves (exit 2 when the
file or the mapping cannot be read).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import httpx
import typer

from promoflow_infra.datasets import gofood, london_takeaway, paths, synthetic
from promoflow_infra.datasets.model import Store
from promoflow_infra.datasets.receipts_csv import ReadResult, ReceiptsCsvError, load
from promoflow_infra.datasets.receipts_mapping import MappingError, load_mapping, mapping_path
from promoflow_infra.demo.amounts import BY_CURRENCY
from promoflow_infra.demo.analytics import (
    DEV_ANALYTICS_TOKEN,
    AnalyticsReader,
    Window,
    comparison_lines,
    wait_for_agreement,
)
from promoflow_infra.demo.carts import ReplayCart, carts_for, dataset_for
from promoflow_infra.demo.catalogue import GOFOOD_BRANDS, dataset_catalogue, load_catalogue
from promoflow_infra.demo.ho_client import DEV_ADMIN_TOKEN, ApiError, HoClient
from promoflow_infra.demo.importer import run_import
from promoflow_infra.demo.replay import (
    DEV_TERMINAL_KEY,
    evaluator_client,
    replay,
    wait_for_promotions,
)
from promoflow_infra.services import COMPILER_PORT, DEMO_COMPANY_ID, EVALUATOR_BASE_PORT

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Demo data and POS replay on real receipts."
)


def _default_compiler_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('PROMOFLOW_COMPILER_PORT', COMPILER_PORT)}"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f}"


ReceiptsCsvOption = Annotated[
    Path | None,
    typer.Option(
        help="A receipts CSV (one row per line) to use instead of the demo datasets; "
        "needs --mapping.",
        dir_okay=False,
    ),
]
MappingOption = Annotated[
    str | None,
    typer.Option(
        help="Column mapping of --receipts-csv: a TOML file, or the name of a shipped one "
        "(ibm_coffee_shop, example_generic); format in datasets/README.md.",
    ),
]


def _read_receipts_csv(receipts_csv: Path | None, mapping: str | None) -> ReadResult | None:
    """The mapped receipts CSV, or None without the options; exit 2 when unreadable."""
    if receipts_csv is None and mapping is None:
        return None
    if receipts_csv is None or mapping is None:
        raise typer.BadParameter("give --receipts-csv and --mapping together")
    try:
        result = load(receipts_csv, load_mapping(mapping_path(mapping)))
    except (MappingError, ReceiptsCsvError) as exc:
        typer.echo(f"cannot read the receipts: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"{receipts_csv.name}: {result.summary()}")
    return result


@app.command("import")
def import_(
    compiler_url: Annotated[
        str, typer.Option(help="Compiler API base URL.", show_default="http://127.0.0.1:8000")
    ] = "",
    stores: Annotated[
        int, typer.Option(help="Demo stores to import (the launcher's first N).", min=1)
    ] = int(os.environ.get("PROMOFLOW_DEMO_STORES", "2")),
    token: Annotated[
        str, typer.Option(envvar="PROMOFLOW_ADMIN_TOKEN", help="HO admin bearer token.")
    ] = DEV_ADMIN_TOKEN,
    workers: Annotated[int, typer.Option(help="Concurrent master-data requests.", min=1)] = 4,
    receipts_csv: ReceiptsCsvOption = None,
    mapping: MappingOption = None,
) -> None:
    """Import the demo catalogue and author its promotions (all 12 types per brand).

    With --receipts-csv and --mapping, import that file's catalogue (all of its stores;
    --stores does not apply) instead of the demo datasets.
    """
    mapped = _read_receipts_csv(receipts_csv, mapping)
    catalogue = load_catalogue(stores) if mapped is None else dataset_catalogue(mapped.dataset)
    lacking = sorted({s.currency for s in catalogue.stores} - set(BY_CURRENCY))
    if lacking:
        typer.echo(
            f"the demo promotions have no amounts in {', '.join(lacking)} (demo/amounts.py "
            f"knows {', '.join(sorted(BY_CURRENCY))}): nothing imported",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"demo data: {'; '.join(catalogue.sources)}")
    typer.echo(
        f"{len(catalogue.stores)} stores, {len(catalogue.brands)} brands, "
        f"{len(catalogue.categories)} categories, {len(catalogue.products)} products"
    )
    try:
        with HoClient(compiler_url or _default_compiler_url(), token) as client:
            report = run_import(client, catalogue, DEMO_COMPANY_ID, typer.echo, workers)
    except ApiError as exc:
        typer.echo(f"import failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    except httpx.HTTPError as exc:
        typer.echo(f"cannot reach the compiler API: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(_load())
    for line in report.lines():
        typer.echo(line)
    if report.errors:
        raise typer.Exit(1)


def _demo_stores() -> list[Store]:
    """Every demo store in the launcher's order (port = base port + position)."""
    data = paths.data_dir()
    if data is None:
        return synthetic.generate(receipts=0).stores
    return london_takeaway.stores() + gofood.read(data, max_brands=GOFOOD_BRANDS).stores


def _store_by_id(store_id: str, stores: list[Store]) -> Store:
    for store in stores:
        if str(store.id) == store_id:
            return store
    raise typer.BadParameter(f"the evaluator serves store {store_id}, which is no demo store")


async def _store_of(url: str, key: str) -> str:
    async with evaluator_client(url, key, 1) as client:
        response = await client.get("/api/v1/promotions", params={"all": "true"})
        response.raise_for_status()
        return str(response.json()["store_id"])


def _resolve(
    store_code: str | None, evaluator_url: str | None, key: str, csv_stores: list[Store] | None
) -> tuple[Store, str]:
    stores = _demo_stores() if csv_stores is None else csv_stores
    if csv_stores is not None and evaluator_url is None:
        raise typer.BadParameter("needed with --receipts-csv", param_hint="--evaluator-url")
    base = int(os.environ.get("PROMOFLOW_EVALUATOR_BASE_PORT", EVALUATOR_BASE_PORT))
    if store_code is None and evaluator_url is not None:
        return _store_by_id(asyncio.run(_store_of(evaluator_url, key)), stores), evaluator_url
    code = store_code or stores[0].code
    for position, store in enumerate(stores):
        if store.code.casefold() == code.casefold():
            return store, evaluator_url or f"http://127.0.0.1:{base + position}"
    raise typer.BadParameter(f"no demo store {code!r}", param_hint="--store")


@app.command("replay")
def replay_(
    store: Annotated[
        str | None, typer.Option(help="Demo store code (default: the first, LDN-001).")
    ] = None,
    evaluator_url: Annotated[
        str | None, typer.Option(help="Evaluator base URL (default: the store's launcher port).")
    ] = None,
    receipts: Annotated[
        int | None, typer.Option(help="Receipts to replay (default: all; 2000 generated).", min=1)
    ] = None,
    rate: Annotated[float, typer.Option(help="Carts per second; 0 = as fast as possible.")] = 0,
    connections: Annotated[int, typer.Option(help="Concurrent connections.", min=1)] = 8,
    check_analytics: Annotated[
        str | None, typer.Option(help="Collector API URL: check HO's analytics agree.")
    ] = None,
    analytics_token: Annotated[
        str, typer.Option(envvar="PROMOFLOW_ANALYTICS_TOKEN", help="Collector bearer token.")
    ] = DEV_ANALYTICS_TOKEN,
    analytics_timeout: Annotated[float, typer.Option(help="Longest wait for analytics (s).")] = 120,
    terminal_key: Annotated[
        str, typer.Option(envvar="PROMOFLOW_TERMINAL_KEY", help="Evaluator terminal key.")
    ] = DEV_TERMINAL_KEY,
    wait: Annotated[float, typer.Option(help="Longest wait for the store's promotions (s).")] = 60,
    receipts_csv: ReceiptsCsvOption = None,
    mapping: MappingOption = None,
) -> None:
    """Replay a store's receipts (evaluate, then check out) and print what was granted.

    With --receipts-csv and --mapping, replay that file's receipts of the store the
    --evaluator-url serves (or --store, a store code of the file).
    """
    mapped = _read_receipts_csv(receipts_csv, mapping)
    try:
        site, url = _resolve(
            store, evaluator_url, terminal_key, None if mapped is None else mapped.dataset.stores
        )
    except httpx.HTTPError as exc:
        typer.echo(f"cannot reach the evaluator: {exc}", err=True)
        raise typer.Exit(1) from exc
    if mapped is None:
        dataset, note = dataset_for(site, paths.data_dir(), receipts)
    else:
        dataset, note = mapped.dataset, f"receipts of {mapped.dataset.source}"
    carts = carts_for(dataset, site, receipts)
    typer.echo(f"store {site.code} ({site.name}, {site.timezone}, {site.currency}) at {url}")
    typer.echo(f"{len(carts)} carts: {note}")
    ok = asyncio.run(
        _replay(
            site,
            url,
            carts,
            terminal_key,
            rate,
            connections,
            wait,
            check_analytics,
            analytics_token,
            analytics_timeout,
        )
    )
    if not ok:
        raise typer.Exit(1)


async def _replay(
    site: Store,
    url: str,
    carts: list[ReplayCart],
    terminal_key: str,
    rate: float,
    connections: int,
    wait: float,
    analytics_url: str | None,
    analytics_token: str,
    analytics_timeout: float,
) -> bool:
    async with evaluator_client(url, terminal_key, connections) as client:
        held = await wait_for_promotions(client, wait, typer.echo)
        if held is None:
            typer.echo("the evaluator never answered", err=True)
            return False
        if held.store_id != site.id:
            typer.echo(f"the evaluator serves store {held.store_id}, not {site.code}", err=True)
            return False
        typer.echo(f"the store holds {len(held.promotions)} active promotions")
        reader = baseline = None
        if analytics_url is not None:
            window = Window.around_now(site.timezone)
            reader = AnalyticsReader(analytics_url, analytics_token, site.id, window)
            baseline = await asyncio.to_thread(reader.usage, held.promotions)
        stats, seconds = await replay(
            client, carts, held.promotions, rate=rate, connections=connections, echo=typer.echo
        )
    for line in stats.summary(site.currency, seconds):
        typer.echo(line)
    typer.echo(_load())
    ok = stats.errors == 0
    if reader is not None and baseline is not None:
        try:
            rows, waited = await asyncio.to_thread(
                wait_for_agreement,
                reader,
                stats.new_by_promotion,
                baseline,
                {**held.promotions, **stats.codes},
                analytics_timeout,
                typer.echo,
            )
        finally:
            reader.close()
        for line in comparison_lines(rows):
            typer.echo(line)
        agree = all(r.agrees for r in rows)
        verdict = "agree" if agree else "DISAGREE"
        typer.echo(f"HO analytics {verdict} with the replay (waited {waited:.1f}s)")
        ok = ok and agree
    return ok
