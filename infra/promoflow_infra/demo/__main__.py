"""``python -m promoflow_infra.demo import|replay``."""

from promoflow_infra.demo.cli import app

app(prog_name="promoflow demo")
