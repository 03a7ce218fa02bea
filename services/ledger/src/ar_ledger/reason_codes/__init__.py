"""Reason codes: the configured lists per document kind, and the check every posting makes."""
