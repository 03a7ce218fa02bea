"""As-of reporting: open items, aging, statements, DSO — every figure can be asked for a past date."""
