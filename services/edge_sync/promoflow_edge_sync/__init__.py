"""promoflow_edge_sync."""
