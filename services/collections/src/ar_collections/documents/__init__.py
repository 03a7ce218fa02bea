"""Evidence documents attached to cases, promises, plans and activities."""
