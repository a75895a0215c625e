"""Pseudonymised statistics for researchers and funders (see ``selectors``)."""
