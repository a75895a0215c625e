"""The test suite (a package, so that ``tests.factories`` imports everywhere)."""
