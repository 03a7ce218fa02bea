"""Portfolios, the rules that assign accounts to them, and manual reassignment."""
