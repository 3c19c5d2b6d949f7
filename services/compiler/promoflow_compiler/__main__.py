"""``python -m promoflow_compiler``: see :mod:`promoflow_compiler.entrypoints.cli`."""

from promoflow_compiler.entrypoints.cli import app

app(prog_name="promoflow_compiler")
