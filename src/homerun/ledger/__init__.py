"""The double-entry ledger under settlement: every money movement is a balanced journal."""
