"""Pure service logic around the engine: allowances, events, descriptions, the POS mapping."""
