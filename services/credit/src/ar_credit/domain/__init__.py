"""Pure credit rules (no I/O): exposure, policy breaches, the order decision."""
