"""Credit holds: placed by policy or by a credit manager, released with a reason."""
