"""Evaluator adapters: the edge store (SQLAlchemy), the HO usage API client, the Kafka producer."""
