"""Test support shared by every package's tests: the stack, migrations, isolated sessions, clients."""
