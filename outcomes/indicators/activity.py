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
    GENDER_KEYS,
    IndicatorDefinition,
    anonymous_walk_ins,
    checksum,
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
        "ACTY11",
        _("Came to collective activities without a case file"),
        _(
            "People who came to a collective session of the period without a case "
            "file (walk-ins not turned into one), by gender."
        ),
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


def _band_label(low: int | None, high: int | None) -> str:
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
    gender = "young_person__gender_id"

    # The rows of the tables whose rows are fixed: (table, [(key, label, condition)],
    # the row whose share is shown), counted by gender in one aggregate.
    fixed: list[tuple[str, list[tuple[str, Any, Q]], str | None]] = [
        ("ACTY02", [("all", _("All participants"), Q())], None),
        *[
            (
                code,
                [
                    (key, _band_label(low, high), _band_q(low, high))
                    for key, low, high in bands
                ],
                None,
            )
            for code, bands in (
                ("ACTY03", FIVE_YEAR_BANDS),
                ("ACTY04", TEN_YEAR_BANDS),
            )
        ],
        *[
            (code, [("yes", yes, condition), ("no", no, ~condition)], "yes")
            for code, condition, yes, no in (
                (
                    "ACTY06",
                    Q(young_person__commune__in_brussels_region=True),
                    _("In the Brussels region"),
                    _("Outside it"),
                ),
                (
                    "ACTY07",
                    Q(employment_status=CaseFile.EmploymentStatus.UNEMPLOYED),
                    _("Job seekers"),
                    _("Others"),
                ),
                (
                    "ACTY08",
                    Q(first_visit=True),
                    _("First visit"),
                    _("Came before this year"),
                ),
                (
                    "ACTY09",
                    Q(referral=CaseFile.Referral.OWN_INITIATIVE),
                    _("Own initiative"),
                    _("Referred"),
                ),
            )
        ],
        (
            "ACTY10",
            [
                (
                    "individual_only",
                    _("Individual only"),
                    Q(individual=True, collective=False),
                ),
                (
                    "collective_only",
                    _("Collective only"),
                    Q(individual=False, collective=True),
                ),
                ("both", _("Both"), Q(individual=True, collective=True)),
                (
                    "neither",
                    _("Neither in the period"),
                    Q(individual=False, collective=False),
                ),
            ],
            None,
        ),
    ]
    conditions = {
        (code, key, g.code): condition & Q(**{gender: g.code})
        for code, rows, _share in fixed
        for key, _label, condition in rows
        for g in genders
    }
    counted = files.aggregate(
        **{f"n{i}": Count("pk", filter=q) for i, q in enumerate(conditions.values())}
    )
    counts: dict[str, dict[tuple[str, str], int]] = {}
    for i, (code, key, gender_code) in enumerate(conditions):
        counts.setdefault(code, {})[(key, gender_code)] = counted[f"n{i}"] or 0

    counts["ACTY05"] = {
        (commune, gender_code): n
        for commune, gender_code, n in files.values("young_person__commune_id", gender)
        .annotate(n=Count("pk"))
        .values_list("young_person__commune_id", gender, "n")
    }
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
    note_gender = f"case_file__{gender}"
    counts["ACTY01"] = {
        (channel, gender_code): n
        for channel, gender_code, n in notes.order_by()
        .values("channel_id", note_gender)
        .annotate(n=Count("pk"))
        .values_list("channel_id", note_gender, "n")
    }
    channels = list(ContactChannel.objects.order_by("sort_order", "code"))

    walk_ins = anonymous_walk_ins(
        operation=resolved,
        date_from=date_from,
        date_to=date_to,
        user=user,
        organisation=organisation,
    )
    counts["ACTY11"] = {
        ("all", gender_code): n
        for gender_code, n in walk_ins.values("gender_id")
        .annotate(n=Count("pk"))
        .values_list("gender_id", "n")
    }

    labels = {d.code: str(d.label) for d in DEFINITIONS}
    rows_of: dict[str, list[tuple[str, Any]]] = {
        "ACTY01": [(c.code, c.name) for c in channels],
        "ACTY05": [(c.code, c.name) for c in communes],
        "ACTY11": [("all", _("All walk-ins"))],
        **{code: [(key, label) for key, label, _q in rows] for code, rows, _s in fixed},
    }
    share_of = {code: share for code, _rows, share in fixed if share}
    tables = []
    for definition in DEFINITIONS:
        code = definition.code
        table = two_way_table(
            code=code,
            label=labels[code],
            rows=rows_of[code],
            columns=[(g.code, g.name) for g in genders],
            counts=counts[code],
            threshold=threshold,
        )
        if code in share_of:
            table["share"] = _share(table, share_of[code], threshold)
        tables.append(table)

    facts: list[list[Any]] = [
        ["participant", *row] for row in files.values_list(*PARTICIPANT_FACTS)
    ]
    facts += [["note", *row] for row in notes.values_list("pk", "channel_id")]
    facts += [["walk-in", *row] for row in walk_ins.values_list("pk", "gender_id")]

    # The figures by gender, in the shape of the other reports: one per row of a
    # table ("ACTY03.20-24"), then the table's total under its own code.
    indicators: dict[str, dict[str, int | str]] = {}
    row_labels: dict[str, str] = {}
    sections = []
    for table in tables:
        codes = []
        if len(table["rows"]) > 1:
            for row in table["rows"]:
                row_code = f"{table['code']}.{row['key']}"
                indicators[row_code] = _by_gender(row["values"])
                row_labels[row_code] = row["label"]
                codes.append(row_code)
        indicators[table["code"]] = _by_gender(table["total"])
        codes.append(table["code"])
        sections.append(
            {"key": table["code"], "title": table["label"], "indicators": codes}
        )

    return {
        "rule_set": RULE_SET,
        "operation": resolved.reference if resolved is not None else None,
        "organisation": organisation.code if organisation is not None else None,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "parameters": {"small_cell_threshold": threshold},
        "indicators": indicators,
        "declined": {},
        # Every fact these figures use is required at intake.
        "incomplete": 0,
        "checksum": checksum(facts),
        "labels": {**labels, **row_labels},
        "definitions": {d.code: str(d.definition) for d in DEFINITIONS},
        "shares": {
            table["code"]: table["share"] for table in tables if "share" in table
        },
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
        "sections": sections,
    }


def _by_gender(values: dict[str, int | str]) -> dict[str, int | str]:
    """A row of a table by gender, with the result's gender keys ("not stated" is in
    the total only; its small counts are hidden with their complements all the
    same)."""
    row = {key: values[code] for code, key in GENDER_KEYS.items()}
    row["total"] = values["total"]
    return row


def _share(table: dict[str, Any], key: str, threshold: int) -> float | None:
    """The row's share of the total (a percentage), or None when the row, the total
    or the rest is hidden or small."""
    part = next(row["values"]["total"] for row in table["rows"] if row["key"] == key)
    total = table["total"]["total"]
    if not isinstance(part, int) or not isinstance(total, int) or not total:
        return None
    if 0 < total - part < threshold:
        return None
    return round(100 * part / total, 1)
