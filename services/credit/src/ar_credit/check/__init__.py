"""The order credit check: may this order ship? Read-only, the platform's hottest endpoint."""
