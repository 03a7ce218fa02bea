"""Payments: received with explicit allocations or auto-applied; unapplied cash; reversals."""
