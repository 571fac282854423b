"""Batches, and later deposits, chargebacks, adjustments and the ledger."""
