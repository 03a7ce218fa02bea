"""Collections service: portfolios, dunning, worklists, promises to pay, disputes, plans, KPIs."""
