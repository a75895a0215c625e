"""Reference rows (loaded from fixtures/) picked for the factories.

The rows come from the database, so the fixtures must be loaded (the test suite does it
once per session, see tests/conftest.py). Choices use ``factory.random.randgen``, which
``factory.random.reseed_random`` seeds, so a seeded run picks the same rows.
"""

from factory.random import randgen

from outcomes.demo import profiles
from youthtrack.models import Commune, ContactChannel, Diploma, Gender, Programme


def gender(code: str | None = None) -> Gender:
    return Gender.objects.get(
        code=code or profiles.weighted(randgen, profiles.GENDER_WEIGHTS)
    )


def commune(code: str | None = None) -> Commune:
    return Commune.objects.get(
        code=code or profiles.weighted(randgen, profiles.COMMUNE_WEIGHTS)
    )


def channel(code: str | None = None) -> ContactChannel:
    return ContactChannel.objects.get(
        code=code or profiles.weighted(randgen, profiles.CHANNEL_WEIGHTS)
    )


def diploma(code: str) -> Diploma:
    return Diploma.objects.get(code=code)


def programme(code: str | None = None) -> Programme:
    """By default Touch'N'Go or Youth@CDM: both accept every age the factories give."""
    return Programme.objects.get(
        code=code or profiles.weighted(randgen, {"touchngo": 1.0, "youth-cdm": 1.0})
    )
