"""Outcomes, indicators and funder reports live here (see the outcomes issues)."""
