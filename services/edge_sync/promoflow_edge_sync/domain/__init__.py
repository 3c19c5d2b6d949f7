"""Pure decisions of the edge sync: what a promotion event does to the store's copy."""
