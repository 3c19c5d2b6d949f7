"""Evaluator entry points: the FastAPI app and its routers, the outbox relay, the CLI."""
