"""ERP reconciliation: the ERP's open items against the ledger's as of a date, per customer."""
