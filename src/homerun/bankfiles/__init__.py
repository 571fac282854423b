"""The files Homerun hands a bank: the NACHA file of an originated ACH batch (docs/ach.md).

A package of its own because it reads two owners, payments (the batch's entries) and the
tokenizer (their sealed account numbers), both of which import homerun.ach."""
