"""Entrypoints: the faust worker, the FastAPI analytics app and dashboard, the CLI."""
