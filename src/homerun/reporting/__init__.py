"""The Reporting API (spec §6, ruling R9): ORDS collections of transactions, deposits,
chargebacks and adjustments, filtered by `q`, scoped to an OAuth client's merchants."""
