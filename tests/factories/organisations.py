"""Organisations, users and programmes."""

import factory
from factory.django import DjangoModelFactory, Password

from outcomes.demo.profiles import DEMO_PASSWORD
from youthtrack.models import Organisation, Programme, User


class OrganisationFactory(DjangoModelFactory):
    """``OrganisationFactory(code="cdm")`` returns the CDM of the fixtures."""

    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.LazyAttribute(lambda o: f"Organisation {o.code}")
    short_name = factory.LazyAttribute(lambda o: o.code.upper()[:40])
    circle = Organisation.Circle.FIRST
    is_active = True


def cdm() -> factory.SubFactory:
    """The host organisation, as a sub-factory (the fixtures' row when loaded)."""
    return factory.SubFactory(
        OrganisationFactory,
        code="cdm",
        name="Cité des métiers de Bruxelles",
        short_name="CDM",
        circle=Organisation.Circle.HOST,
    )


def actiris() -> factory.SubFactory:
    return factory.SubFactory(
        OrganisationFactory,
        code="actiris",
        name="Actiris",
        short_name="Actiris",
        circle=Organisation.Circle.FIRST,
    )


class UserFactory(DjangoModelFactory):
    """A youth advisor at the CDM by default; traits ``partner``, ``lead``, ``admin``,
    ``dpo`` (data protection officer). The password is "demo-password-2026" unless
    ``password=...`` is given."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    class Params:
        partner = factory.Trait(role=User.Role.PARTNER, organisation=actiris())
        lead = factory.Trait(role=User.Role.LEAD)
        admin = factory.Trait(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
        dpo = factory.Trait(role=User.Role.DPO)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_BE")
    last_name = factory.Faker("last_name", locale="fr_BE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = User.Role.ADVISOR
    organisation = cdm()
    password = Password(DEMO_PASSWORD)
    is_active = True


class ProgrammeFactory(DjangoModelFactory):
    """``ProgrammeFactory(code="uppercut")`` returns the fixtures' row; another code
    makes a new programme (15–29 by default)."""

    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"programme-{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Programme {o.code}")
    name_nl = factory.LazyAttribute(lambda o: f"Programma {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Programme {o.code}")
    min_age = 15
    max_age = 29
