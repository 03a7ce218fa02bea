"""Credit profiles: limit, currency, risk class and review date per customer."""
