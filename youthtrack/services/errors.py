"""Errors the services raise for the views to show."""

from django.db import models

from ..models import (
    YoungPerson,
)
from ..selectors import FieldChange


class StaleEditError(Exception):
    """Someone else saved the record after the form was opened."""

    def __init__(self, changes: list[FieldChange], current: models.Model):
        super().__init__("stale edit")
        self.changes = changes
        self.current = current  # the record as it is now in the database


class DuplicatePersonError(Exception):
    """A young person with the same name and birth date is already registered."""

    def __init__(self, matches: list[YoungPerson]):
        super().__init__("possible duplicate")
        self.matches = matches
