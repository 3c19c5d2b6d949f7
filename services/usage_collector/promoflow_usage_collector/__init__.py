"""promoflow_usage_collector."""
