"""Young people."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from factory.random import randgen

from outcomes.demo import names, profiles
from youthtrack.models import YoungPerson

from . import reference
from .organisations import cdm


class YoungPersonFactory(DjangoModelFactory):
    """A young Brussels resident aged 16 to 28 today (``age=...`` to choose), with a
    French, Dutch or other Brussels name matching the gender."""

    class Meta:
        model = YoungPerson

    class Params:
        age = factory.LazyFunction(lambda: randgen.randint(16, 28))
        name_language = factory.LazyFunction(lambda: names.pick_language(randgen))
        languages = factory.LazyAttribute(
            lambda o: profiles.pick_languages(randgen, o.name_language)
        )

    gender = factory.LazyFunction(reference.gender)
    first_name = factory.LazyAttribute(
        lambda o: names.first_name(randgen, o.name_language, o.gender.code)
    )
    last_name = factory.LazyAttribute(
        lambda o: names.last_name(randgen, o.name_language)
    )
    birth_date = factory.LazyAttribute(
        lambda o: profiles.birth_date_for_age(randgen, o.age, timezone.localdate())
    )
    commune = factory.LazyFunction(reference.commune)
    phone = factory.LazyFunction(lambda: profiles.phone_number(randgen))
    email = factory.LazyAttribute(
        lambda o: profiles.email_address(randgen, o.first_name, o.last_name)
    )
    speaks_french = factory.LazyAttribute(lambda o: o.languages[0])
    speaks_dutch = factory.LazyAttribute(lambda o: o.languages[1])
    other_languages = factory.LazyAttribute(lambda o: o.languages[2])
    citizenship = factory.LazyFunction(
        lambda: profiles.weighted(randgen, profiles.CITIZENSHIP_WEIGHTS)
    )
    created_by_organisation = cdm()
