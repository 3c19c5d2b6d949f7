"""``python -m promoflow_evaluator``: the evaluator CLI (api, relay)."""

from promoflow_evaluator.entrypoints.cli import app

if __name__ == "__main__":
    app()
