"""Demo data and POS replay on the real datasets (issue 7, parts 2 and 3).

* :mod:`.importer` turns a dataset (London takeaway receipts, GoFood menus, or the synthetic
  café chain) into a head-office catalogue and a set of promotions of all 12 types per brand,
  through the compiler's public API, idempotently (a re-run updates, never duplicates).
* :mod:`.replay` replays the dataset's receipts against one store's evaluator (evaluate, then
  check out), prints a summary, and optionally checks it against the collector's analytics.
* :mod:`.cli` is the typer app (``python -m promoflow_infra.demo import|replay``).

Only public HTTP APIs are used, never a database.
"""
