"""Delivery: queue, send (SMTP or signed webhook), retry with backoff, log every attempt."""
