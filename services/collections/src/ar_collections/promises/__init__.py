"""Promises to pay: recorded by collectors, judged from the cash applied to the items they cover."""
