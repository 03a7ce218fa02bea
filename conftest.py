"""Root pytest configuration: shared fixtures for every package's tests."""

pytest_plugins = ["ar_shared.testing.plugin"]
