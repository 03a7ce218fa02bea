"""`make demo`: a simulated receivables book driven through the platform's public APIs."""
