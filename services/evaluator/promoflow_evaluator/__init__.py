"""promoflow_evaluator: the store's promotion evaluator (pure engine behind a FastAPI app).

``engine/`` is the pure engine (shared with HO's preview). The service around it serves POS
terminals from the edge store: evaluate, checkout with store-and-forward of redemptions, void,
the promotion list, and the seed POS contract. ``python -m promoflow_evaluator --help``.
"""
