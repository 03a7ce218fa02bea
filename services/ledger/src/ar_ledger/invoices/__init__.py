"""Invoices: issued one by one or in bulk, voided while nothing is applied."""
