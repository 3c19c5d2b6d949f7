"""promoflow_edge_sync: keeps a store's copy of its promotions in the edge store.

Consumes the compacted ``promotions.v1`` topic (one consumer group per store), keeps what
targets the store, upserts by version, deletes on withdrawal, and can bootstrap from the HO sync
API when Kafka is unreachable. ``python -m promoflow_edge_sync --help`` lists the commands.
"""
