"""Collection reason codes: why an open item is not paid yet, set by collectors and the workflow."""
