"""PromoFlow infrastructure helpers."""
