"""Idempotency-Key handling for every POST (ruling R12)."""
