"""promoflow_evaluator."""
