"""Credit decisions on sales orders: idempotent per order reference; approved orders are exposure."""
