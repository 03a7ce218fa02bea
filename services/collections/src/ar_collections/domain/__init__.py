"""Pure collections rules (no I/O): aging, assignment rules, the priority score, SLAs."""
