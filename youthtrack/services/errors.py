"""Errors the services raise for the views to show."""

from django.db import models

from ..duplicates import Match
from ..selectors import FieldChange


class StaleEditError(Exception):
    """Someone else saved the record after the form was opened."""

    def __init__(self, changes: list[FieldChange], current: models.Model):
        super().__init__("stale edit")
        self.changes = changes
        self.current = current  # the record as it is now in the database


class DuplicatePersonError(Exception):
    """Young people likely the same as the one being registered are known already
    (``duplicates.Match``, best first)."""

    def __init__(self, matches: list[Match]):
        super().__init__("possible duplicate")
        self.matches = matches
