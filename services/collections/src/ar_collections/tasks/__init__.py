"""Tasks on an account: follow-ups, calls, letters, reviews, each due on a business date."""
