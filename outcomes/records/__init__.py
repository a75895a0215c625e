"""Outcome records, exits and the follow-ups after exit."""
