"""Case files, with their status history, consents and follow-up notes."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from factory.random import randgen

from outcomes.demo import names, note_texts, profiles
from youthtrack.models import (
    CaseFile,
    CaseStatusChange,
    Consent,
    Note,
    Organisation,
    age_on,
)
from youthtrack.services.cases import operation_for_entry

from . import reference
from .organisations import UserFactory, cdm
from .people import YoungPersonFactory

Status = CaseFile.Status


def _today() -> datetime.date:
    return timezone.localdate()


def _entry_date(case: "factory.builder.Resolver") -> datetime.date:
    """A day in the last two years at which the person's age suits the programme; an
    intake is recent."""
    person, programme = case.young_person, case.programme
    window = profiles.entry_window(
        person.birth_date, programme.min_age, programme.max_age, _today()
    )
    if window is None:
        raise ValueError(
            f"{person} (born {person.birth_date}) was never aged {programme.min_age}–"
            f"{programme.max_age} in the last two years: choose another programme "
            "or pass entry_date"
        )
    start, end = window
    if case.status == Status.INTAKE:
        start = max(start, end - datetime.timedelta(days=45))
    return profiles.random_date(randgen, start, end)


def _person_age_today(case) -> int:
    low, high = profiles.age_today_range(case.programme.min_age, case.programme.max_age)
    return randgen.randint(low, high)


class CaseFileFactory(DjangoModelFactory):
    """A case file at the CDM whose situation at entry passes ``validate_case_file``.

    Status ``intake`` by default; traits ``active``, ``follow_up`` and ``closed`` (with
    an exit date and reason). The programme is Touch'N'Go or Youth@CDM unless given; the
    young person is made to fit its age range. The status history is recorded as the
    services would (``status_history=False`` to skip it)."""

    class Meta:
        model = CaseFile
        skip_postgeneration_save = True

    class Params:
        active = factory.Trait(status=Status.ACTIVE)
        follow_up = factory.Trait(status=Status.FOLLOW_UP)
        closed = factory.Trait(status=Status.CLOSED)
        situation = factory.LazyAttribute(
            lambda o: profiles.pick_situation(
                randgen, o.programme.code, o.young_person.birth_date, o.entry_date
            )
        )

    programme = factory.LazyFunction(reference.programme)
    owner_organisation = cdm()
    young_person = factory.SubFactory(
        YoungPersonFactory,
        age=factory.LazyAttribute(lambda p: _person_age_today(p.factory_parent)),
        created_by_organisation=factory.SelfAttribute("..owner_organisation"),
    )
    advisor = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..owner_organisation")
    )
    created_by = factory.LazyAttribute(
        lambda o: o.advisor or UserFactory(organisation=o.owner_organisation)
    )
    status = Status.INTAKE
    entry_date = factory.LazyAttribute(_entry_date)
    # The operation the intake would choose for this programme and entry date.
    operation = factory.LazyAttribute(
        lambda o: operation_for_entry(programme=o.programme, entry_date=o.entry_date)
    )
    exit_date = factory.LazyAttribute(
        lambda o: (
            profiles.random_date(randgen, o.entry_date, _today())
            if o.status == Status.CLOSED
            else None
        )
    )
    exit_reason = factory.LazyAttribute(
        lambda o: (
            profiles.weighted(randgen, profiles.EXIT_REASON_WEIGHTS)
            if o.status == Status.CLOSED
            else ""
        )
    )
    next_follow_up_on = factory.LazyAttribute(
        lambda o: (
            None
            if o.status == Status.CLOSED
            else profiles.next_follow_up(randgen, _today())
        )
    )
    employment_status = factory.SelfAttribute("situation.employment_status")
    unemployed_since = factory.SelfAttribute("situation.unemployed_since")
    education = factory.SelfAttribute("situation.education")
    registered_at_actiris = factory.SelfAttribute("situation.registered_at_actiris")
    highest_diploma = factory.LazyAttribute(
        lambda o: reference.diploma(
            profiles.pick_diploma_code(
                randgen,
                age_on(o.young_person.birth_date, o.entry_date),
                flemish=o.young_person.speaks_dutch
                and not o.young_person.speaks_french,
            )
        )
    )
    disability = factory.LazyFunction(
        lambda: profiles.pick_declinable(randgen, yes=0.04, declined=0.2)
    )
    foreign_background = factory.LazyFunction(
        lambda: profiles.pick_declinable(randgen, yes=0.45, declined=0.2)
    )
    minority = factory.LazyFunction(
        lambda: profiles.pick_declinable(randgen, yes=0.08, declined=0.35)
    )
    homeless = factory.LazyFunction(
        lambda: profiles.pick_declinable(randgen, yes=0.03, declined=0.15)
    )
    first_visit = factory.LazyFunction(lambda: randgen.random() < 0.744)
    referral = factory.LazyFunction(
        lambda: profiles.weighted(randgen, {"own": 1.0, "referred": 1.0})
    )
    referred_by = factory.LazyAttribute(
        lambda o: (
            randgen.choice(profiles.REFERRERS)
            if o.referral == CaseFile.Referral.REFERRED
            else ""
        )
    )

    @factory.post_generation
    def status_history(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        moves = profiles.status_path(
            randgen, obj.status, obj.entry_date, obj.exit_date, _today()
        )
        CaseStatusChange.objects.bulk_create(
            CaseStatusChange(
                case_file=obj,
                from_status=frm,
                to_status=to,
                effective_date=day,
                changed_by=obj.advisor or obj.created_by,
            )
            for frm, to, day in moves
        )


class ConsentFactory(DjangoModelFactory):
    """Consent to data processing given on the entry date; by a parent or guardian
    (named) when the young person was under 16 that day. ``purpose="sharing"`` covers
    Actiris unless ``partner`` is given."""

    class Meta:
        model = Consent

    case_file = factory.SubFactory(CaseFileFactory)
    purpose = Consent.Purpose.DATA_PROCESSING
    partner = factory.LazyAttribute(
        lambda o: (
            Organisation.objects.get(code="actiris")
            if o.purpose == Consent.Purpose.SHARING
            else None
        )
    )
    scope = factory.LazyAttribute(
        lambda o: "Suivi du parcours et résultats" if o.partner else ""
    )
    given_on = factory.SelfAttribute("case_file.entry_date")
    given_by = factory.LazyAttribute(
        lambda o: (
            Consent.GivenBy.GUARDIAN
            if age_on(o.case_file.young_person.birth_date, o.given_on) < 16
            else Consent.GivenBy.YOUNG_PERSON
        )
    )
    guardian_name = factory.LazyAttribute(
        lambda o: (
            names.guardian_name(randgen, "fr", o.case_file.young_person.last_name)
            if o.given_by == Consent.GivenBy.GUARDIAN
            else ""
        )
    )
    recorded_by = factory.LazyAttribute(
        lambda o: o.case_file.advisor or o.case_file.created_by
    )


def _commune_phrase(case_file: CaseFile) -> str:
    commune = case_file.young_person.commune
    return commune.name_fr if commune.in_brussels_region else "son domicile"


class NoteFactory(DjangoModelFactory):
    """A follow-up note by the case's advisor, dated within the path, visible to the
    organisation; French or Dutch text from the templates."""

    class Meta:
        model = Note
        skip_postgeneration_save = True

    class Params:
        language = factory.LazyFunction(
            lambda: "nl" if randgen.random() < 0.2 else "fr"
        )
        template = factory.LazyAttribute(
            lambda o: note_texts.pick_template(randgen, o.language)
        )
        content = factory.LazyAttribute(
            lambda o: note_texts.render(
                randgen,
                o.template,
                o.case_file.young_person.first_name,
                _commune_phrase(o.case_file),
            )
        )

    case_file = factory.SubFactory(CaseFileFactory)
    contact_date = factory.LazyAttribute(
        lambda o: profiles.random_date(
            randgen, o.case_file.entry_date, o.case_file.exit_date or _today()
        )
    )
    channel = factory.LazyAttribute(
        lambda o: reference.channel(
            note_texts.pick_channel(randgen, o.template, profiles.CHANNEL_WEIGHTS)
        )
    )
    topic = factory.LazyAttribute(lambda o: o.content[0])
    text = factory.LazyAttribute(lambda o: o.content[1])
    visibility = Note.Visibility.ORGANISATION
    author = factory.LazyAttribute(
        lambda o: o.case_file.advisor or o.case_file.created_by
    )
    organisation = factory.LazyAttribute(
        lambda o: o.author.organisation or o.case_file.owner_organisation
    )

    @factory.post_generation
    def last_contact(obj, create, extracted, **kwargs):
        """The case file's last contact, as the note services keep it."""
        if create:
            from youthtrack.services.notes import refresh_last_contact

            refresh_last_contact(obj.case_file_id)
