"""Payment plans: chosen items paid off in instalments, monitored from the cash applied to them."""
