"""Fee documents for the dunning charges collections requests."""
