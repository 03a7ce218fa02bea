"""Dunning charges: fee and late-payment interest settings, and the charges steps request."""
