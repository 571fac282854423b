"""ACH: bank-account payments (docs/ach.md)."""
