"""`homerun verify`: the invariants the docs promise, checked over the whole database,
read-only, in one snapshot, streamed (docs/operations.md, "Proving the books")."""
