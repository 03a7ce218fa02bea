"""The posting engine: journal entries, applications and incremental balances, always together."""
