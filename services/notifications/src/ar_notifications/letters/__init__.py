"""Letters: the messages rendered for a customer, kept for reading and printing."""
