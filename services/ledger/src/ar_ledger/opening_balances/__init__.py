"""Opening balances: a new installation starts from the ERP's open items, loaded in one request."""
