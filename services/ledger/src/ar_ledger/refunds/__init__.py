"""Refunds: unapplied cash or credit paid back to the customer, with a second approver above a threshold."""
