"""Entrypoints of the compiler: the FastAPI app, the relay, scheduler and consumer, the CLI."""
