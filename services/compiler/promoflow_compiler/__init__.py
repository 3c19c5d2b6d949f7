"""promoflow_compiler."""
