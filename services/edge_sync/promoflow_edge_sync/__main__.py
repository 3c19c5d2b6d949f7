"""``python -m promoflow_edge_sync``: the edge sync CLI."""

from promoflow_edge_sync.entrypoints.cli import app

if __name__ == "__main__":
    app()
