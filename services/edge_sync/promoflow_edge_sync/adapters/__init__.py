"""Edge sync adapters: the edge store (SQLAlchemy), Kafka, and the HO sync API client."""
