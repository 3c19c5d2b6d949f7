"""promoflow_contracts."""
