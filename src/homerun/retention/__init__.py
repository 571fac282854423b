"""Retention: what Homerun forgets, and when (docs/operations.md#retention)."""
