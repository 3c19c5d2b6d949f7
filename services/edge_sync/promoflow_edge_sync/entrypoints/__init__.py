"""Edge sync entry points: the Kafka consumer loop, the HO bootstrap, and the CLI."""
