"""The yearly activity figures, like the CDM's own report (funder-indicators.md,
"Yearly activity figures"; ``../shared/seed/cdm-rapport-2021.txt``).

Contacts by channel (each note once; with ``user``, only the notes they may read on
the case files they may open); participants by gender, by five- and ten-year age band
at entry (by gender), by commune; the shares living in the Brussels region, of job
seekers, of first visits this year, of those who came on their own initiative; and
individual or collective support. Participants are the operation's participations open
at some point of the period, or, without an operation, the organisation's.

Anonymous: every count from 1 to the small-cell threshold less one (the operation's
``small_cell_threshold``, 5 by default) is shown as "<5", and so is a second count of
any row or column where that alone would be the difference between its shown total
and its other shown counts. A share is shown only when neither side is hidden.
Counted by the database: a constant number of queries whatever the participants.
"""

import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from youthtrack.access import note_visibility_q
from youthtrack.models import (
    OPERATION_PARAMETER_DEFAULTS,
    CaseFile,
    Commune,
    ContactChannel,
    Gender,
    Note,
    Operation,
    Organisation,
    User,
)

from .figures import (
    COMPLEMENT,
    IndicatorDefinition,
    checksum,
    one_way_table,
    participants_in_period,
    resolve_operation,
    small,
    two_way_table,
    with_age_at_entry,
    with_support,
)

RULE_SET = "activity"


def _definition(code: str, label, definition) -> IndicatorDefinition:
    return IndicatorDefinition(code, RULE_SET, label, definition)


DEFINITIONS: list[IndicatorDefinition] = [
    _definition(
        "ACTY01",
        _("Contacts by channel"),
        _(
            "Follow-up notes dated in the period, by channel of contact; each note "
            "counts once."
        ),
    ),
    _definition(
        "ACTY02",
        _("Participants by gender"),
        _("Participations open at some point of the period, by gender."),
    ),
    _definition(
        "ACTY03",
        _("Participants by five-year age band"),
        _("Age in completed years on the entry date, in bands of five years."),
    ),
    _definition(
        "ACTY04",
        _("Participants by ten-year age band"),
        _("Age in completed years on the entry date, in bands of ten years."),
    ),
    _definition(
        "ACTY05",
        _("Participants by commune of residence"),
        _("The commune where the young person lives."),
    ),
    _definition(
        "ACTY06",
        _("Living in the Brussels region"),
        _("Participants living in one of the 19 communes of the Brussels region."),
    ),
    _definition(
        "ACTY07",
        _("Job seekers"),
        _("Participants unemployed (job seekers) at entry."),
    ),
    _definition(
        "ACTY08",
        _("First visit this year"),
        _("Participants whose first visit of the year this was."),
    ),
    _definition(
        "ACTY09",
        _("Came on their own initiative"),
        _("Participants who came on their own initiative rather than referred."),
    ),
    _definition(
        "ACTY10",
        _("Individual or collective support"),
        _(
            "Individual: a contact noted in the period; collective: an attendance, "
            "an enrolment or a walk-in at a collective activity of the period."
        ),
    ),
]

FIVE_YEAR_BANDS: list[tuple[str, int | None, int | None]] = [
    ("0-14", None, 14),
    *[(f"{low}-{low + 4}", low, low + 4) for low in range(15, 60, 5)],
    ("60+", 60, None),
]
TEN_YEAR_BANDS: list[tuple[str, int | None, int | None]] = [
    ("0-19", None, 19),
    *[(f"{low}-{low + 9}", low, low + 9) for low in range(20, 60, 10)],
    ("60+", 60, None),
]


# What each participant's figures are computed from (the checksum's facts).
PARTICIPANT_FACTS = [
    "pk",
    "young_person__gender_id",
    "age",
    "young_person__commune_id",
    "employment_status",
    "first_visit",
    "referral",
    "individual",
    "collective",
]


def _band_label(key: str, low: int | None, high: int | None) -> str:
    if low is None:
        return str(_("under %(age)s") % {"age": (high or 0) + 1})
    if high is None:
        return str(_("%(age)s and over") % {"age": low})
    return str(_("%(low)s to %(high)s") % {"low": low, "high": high})


def _band_q(low: int | None, high: int | None) -> Q:
    condition = Q()
    if low is not None:
        condition &= Q(age__gte=low)
    if high is not None:
        condition &= Q(age__lte=high)
    return condition


def report_compute(
    *,
    rule_set: str = RULE_SET,
    operation: Operation | str | None,
    date_from: datetime.date,
    date_to: datetime.date,
    user: User | None = None,
    organisation: Organisation | None = None,
) -> dict[str, Any]:
    """The yearly activity figures of an operation, or (``operation=None``) of an
    organisation's case files, for a period (the interface of
    ``outcomes.indicators``). With ``user``, what they may see only; without an
    operation nor an organisation, the user's organisation."""
    if rule_set != RULE_SET:
        raise ValueError(f"not the activity figures: {rule_set}")
    resolved = resolve_operation(operation)
    if resolved is None and organisation is None and user is not None:
        organisation = user.organisation
    if resolved is None and organisation is None:
        raise ValueError("an operation or an organisation is needed")
    threshold = (
        resolved.settings["small_cell_threshold"]
        if resolved is not None
        else OPERATION_PARAMETER_DEFAULTS["small_cell_threshold"]
    )

    files = participants_in_period(
        operation=resolved,
        date_from=date_from,
        date_to=date_to,
        user=user,
        organisation=organisation,
    )
    files = with_support(with_age_at_entry(files), date_from, date_to)
    genders = list(Gender.objects.order_by("sort_order", "code"))
    gender_q = {g.code: Q(young_person__gender_id=g.code) for g in genders}

    # Every figure of a fixed list of rows, in one aggregate.
    rows: dict[str, Q] = {}
    for prefix, bands in (("age5", FIVE_YEAR_BANDS), ("age10", TEN_YEAR_BANDS)):
        for key, low, high in bands:
            for code, by in gender_q.items():
                rows[f"{prefix}|{key}|{code}"] = _band_q(low, high) & by
    for code, by in gender_q.items():
        rows[f"gender|{code}"] = by
    yes_no = {
        "brussels": Q(young_person__commune__in_brussels_region=True),
        "job_seeker": Q(employment_status=CaseFile.EmploymentStatus.UNEMPLOYED),
        "first_visit": Q(first_visit=True),
        "own_initiative": Q(referral=CaseFile.Referral.OWN_INITIATIVE),
    }
    for name, condition in yes_no.items():
        rows[f"{name}|yes"] = condition
        rows[f"{name}|no"] = ~condition
    support = {
        "individual_only": Q(individual=True, collective=False),
        "collective_only": Q(individual=False, collective=True),
        "both": Q(individual=True, collective=True),
        "neither": Q(individual=False, collective=False),
    }
    for name, condition in support.items():
        rows[f"support|{name}"] = condition
    counted = files.aggregate(
        **{f"n{i}": Count("pk", filter=q) for i, q in enumerate(rows.values())}
    )
    figures = {key: counted[f"n{i}"] or 0 for i, key in enumerate(rows)}

    per_commune = dict(
        files.values("young_person__commune_id")
        .annotate(n=Count("pk"))
        .values_list("young_person__commune_id", "n")
    )
    communes = list(Commune.objects.order_by("sort_order", "code"))

    notes = Note.objects.filter(
        contact_date__gte=date_from,
        contact_date__lte=date_to,
    )
    if resolved is not None:
        notes = notes.filter(case_file__operation=resolved)
    else:
        notes = notes.filter(case_file__owner_organisation=organisation)
    if user is not None:
        notes = notes.filter(note_visibility_q(user, with_case_file=True))
    per_channel = dict(
        notes.order_by()
        .values("channel_id")
        .annotate(n=Count("pk"))
        .values_list("channel_id", "n")
    )
    channels = list(ContactChannel.objects.order_by("sort_order", "code"))

    gender_columns = [(g.code, g.name) for g in genders]
    labels = {d.code: str(d.label) for d in DEFINITIONS}

    def yes_no_table(code: str, name: str, yes, no) -> dict[str, Any]:
        return one_way_table(
            code=code,
            label=labels[code],
            rows=[
                ("yes", yes, figures[f"{name}|yes"]),
                ("no", no, figures[f"{name}|no"]),
            ],
            threshold=threshold,
            share_of="yes",
        )

    tables = [
        one_way_table(
            code="ACTY01",
            label=labels["ACTY01"],
            rows=[(c.code, c.name, per_channel.get(c.code, 0)) for c in channels],
            threshold=threshold,
        ),
        one_way_table(
            code="ACTY02",
            label=labels["ACTY02"],
            rows=[(g.code, g.name, figures[f"gender|{g.code}"]) for g in genders],
            threshold=threshold,
        ),
        *[
            two_way_table(
                code=code,
                label=labels[code],
                rows=[(key, _band_label(key, low, high)) for key, low, high in bands],
                columns=gender_columns,
                counts={
                    (key, g.code): figures[f"{prefix}|{key}|{g.code}"]
                    for key, _low, _high in bands
                    for g in genders
                },
                threshold=threshold,
            )
            for code, prefix, bands in (
                ("ACTY03", "age5", FIVE_YEAR_BANDS),
                ("ACTY04", "age10", TEN_YEAR_BANDS),
            )
        ],
        one_way_table(
            code="ACTY05",
            label=labels["ACTY05"],
            rows=[(c.code, c.name, per_commune.get(c.code, 0)) for c in communes],
            threshold=threshold,
        ),
        yes_no_table(
            "ACTY06", "brussels", _("In the Brussels region"), _("Outside it")
        ),
        yes_no_table("ACTY07", "job_seeker", _("Job seekers"), _("Others")),
        yes_no_table(
            "ACTY08", "first_visit", _("First visit"), _("Came before this year")
        ),
        yes_no_table("ACTY09", "own_initiative", _("Own initiative"), _("Referred")),
        one_way_table(
            code="ACTY10",
            label=labels["ACTY10"],
            rows=[
                (
                    "individual_only",
                    _("Individual only"),
                    figures["support|individual_only"],
                ),
                (
                    "collective_only",
                    _("Collective only"),
                    figures["support|collective_only"],
                ),
                ("both", _("Both"), figures["support|both"]),
                ("neither", _("Neither in the period"), figures["support|neither"]),
            ],
            threshold=threshold,
        ),
    ]

    facts: list[list[Any]] = [
        ["participant", *row] for row in files.values_list(*PARTICIPANT_FACTS)
    ]
    facts += [["note", *row] for row in notes.values_list("pk", "channel_id")]

    def indicator(table: dict[str, Any]) -> dict[str, Any]:
        values = {
            row["key"]: row["values"]["total"] if "values" in row else row["value"]
            for row in table["rows"]
        }
        total = table["total"]
        values["total"] = total["total"] if isinstance(total, dict) else total
        return values

    return {
        "rule_set": RULE_SET,
        "operation": resolved.reference if resolved is not None else None,
        "organisation": organisation.code if organisation is not None else None,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "parameters": {"small_cell_threshold": threshold},
        "indicators": {table["code"]: indicator(table) for table in tables},
        "declined": {},
        # Every fact these figures use is required at intake.
        "incomplete": 0,
        "checksum": checksum(facts),
        "labels": labels,
        "definitions": {d.code: str(d.definition) for d in DEFINITIONS},
        "tables": tables,
        "legend": {
            small(threshold): str(
                _("fewer than %(n)s, hidden to keep people anonymous")
                % {"n": threshold}
            ),
            COMPLEMENT: str(
                _("hidden so that a small count cannot be worked out from the total")
            ),
        },
        "sections": [
            {
                "key": table["code"],
                "title": table["label"],
                "indicators": [table["code"]],
            }
            for table in tables
        ],
    }
