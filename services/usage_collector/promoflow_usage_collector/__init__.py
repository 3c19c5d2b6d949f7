"""PromoFlow's head-office usage collector: redemptions and evaluation logs come home here.

Processes (``python -m promoflow_usage_collector <command>``, see ``entrypoints/cli.py``):

- ``worker``: a faust-streaming app (consumer group ``usage-collector``) with three agents:
  ``redemptions.v1`` and ``evaluations.v1`` are deduplicated by ``event_id`` and aggregated in
  PostgreSQL, one transaction per batch, offsets committed only after the database commit
  (at-least-once delivery, idempotent consumer); ``promotions.v1`` teaches it each promotion's
  limits. Reached limits are announced as ``LimitStateChanged`` on ``limits.v1`` through a
  transactional outbox. Malformed records go to ``<topic>.dlq`` with the error in headers.
- ``api``: FastAPI, read-only: analytics reports, CSV export, per-customer usage for edges,
  the HO dashboard (``/dashboard``), ``/health``.
- ``migrate``: the collector's own Alembic environment (schema ``usage``, version table
  ``alembic_version_usage_collector``) in the HO database.

Layout: ``domain/`` pure rules (redemption state, aggregate deltas, limits, analytics maths),
``adapters/`` SQL and migrations, ``ingest_service``/``limits_service``/``analytics_service``
orchestrate, ``entrypoints/`` are thin, ``bootstrap`` wires, ``config`` reads ``PROMOFLOW_*``.
"""
