"""Pure ledger rules (no I/O): allocation order, journal postings, aging buckets."""
