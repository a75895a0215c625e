"""Imports of past records (spreadsheets of earlier years)."""

__all__: list[str] = []
