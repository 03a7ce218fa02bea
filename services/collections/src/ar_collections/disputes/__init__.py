"""Dispute and deduction cases."""
