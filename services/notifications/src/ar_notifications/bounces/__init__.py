"""Bounces: what mail servers report after a message was accepted (hard, soft, complaint)."""
