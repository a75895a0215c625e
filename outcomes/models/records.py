"""What happened to a young person: outcome records, follow-ups, evidence.

Outcomes are dated facts; indicators (EECR01…, CR01…) are derived from them at report
time, never typed in (funder-indicators.md)."""

import secrets
from pathlib import PurePath
from typing import cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from youthtrack.models import CaseFile
from youthtrack.personal_data import classify

__all__ = ["Outcome", "FollowUp", "evidence_storage"]


class PrivateFileSystemStorage(FileSystemStorage):
    """A storage without URLs: nothing can link to a file past the gate."""

    def url(self, name: str | None) -> str:
        raise ValueError("evidence documents are served only by the gated view")


class _EvidenceStorage(LazyObject):
    """Evidence files live outside the web root (``OUTCOMES_EVIDENCE_ROOT``), with no
    URL: they are served only by the view behind the case-file gate."""

    def _setup(self) -> None:
        self._wrapped = PrivateFileSystemStorage(
            location=settings.OUTCOMES_EVIDENCE_ROOT
        )


evidence_storage = cast(FileSystemStorage, _EvidenceStorage())


def private_evidence_storage() -> FileSystemStorage:
    """The field's storage, by reference (migrations never hold the path)."""
    return evidence_storage


def evidence_file_name(instance: "Outcome", filename: str) -> str:
    """A random, unguessable name (the typed name is kept apart, for display)."""
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"evidence/{secrets.token_urlsafe(32)}{suffix}"


class Outcome(models.Model):
    class Kind(models.TextChoices):
        JOB = "job", _("Job as an employee")
        SELF_EMPLOYMENT = "self_employment", _("Self-employment")
        QUALIFYING_TRAINING = "qualifying_training", _("Qualifying training")
        RETURN_TO_STUDIES = "studies", _("Return to studies")
        INTERNSHIP = "internship", _("Internship or traineeship")
        APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
        JOB_SEARCH = "job_search", _("Actively searching for a job")
        OFFER_EMPLOYMENT = "offer_employment", _("Offer received: employment")
        OFFER_EDUCATION = "offer_education", _("Offer received: continued education")
        OFFER_APPRENTICESHIP = (
            "offer_apprenticeship",
            _("Offer received: apprenticeship"),
        )
        OFFER_TRAINEESHIP = "offer_traineeship", _("Offer received: traineeship")
        QUALIFICATION = "qualification", _("Qualification obtained")
        INACTIVE = "inactive", _("Inactive")
        OTHER = "other", _("Other")

    class ContractKind(models.TextChoices):
        PERMANENT = "permanent", _("Permanent contract")
        FIXED_TERM = "fixed_term", _("Fixed-term contract")
        TEMPORARY = "temporary", _("Temporary agency work")
        STUDENT = "student", _("Student job")
        SUBSIDISED = "subsidised", _("Subsidised employment (e.g. Article 60)")
        OTHER = "other", _("Other contract")

    class Source(models.TextChoices):
        YOUNG_PERSON = "young_person", _("The young person")
        EMPLOYER = "employer", _("The employer or organisation")
        ACTIRIS = "actiris", _("Actiris")
        DOCUMENT = "document", _("A document")

    case_file = models.ForeignKey(
        CaseFile,
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("case file"),
    )
    kind = models.CharField(_("outcome"), max_length=24, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    organisation_name = models.CharField(
        _("employer or organisation"), max_length=200, blank=True
    )
    contract_kind = models.CharField(
        _("contract"), max_length=12, choices=ContractKind.choices, blank=True
    )
    weekly_hours = models.DecimalField(
        _("hours a week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    evidence_file = models.FileField(
        _("evidence document"),
        storage=private_evidence_storage,
        upload_to=evidence_file_name,
        max_length=200,
        blank=True,
    )
    evidence_name = models.CharField(
        _("name of the evidence document"), max_length=200, blank=True
    )
    evidence_content_type = models.CharField(max_length=40, blank=True)
    verification_note = models.TextField(_("how it was verified"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    JOB_KINDS = frozenset({Kind.JOB})

    # The employer's name and the evidence (a contract, a certificate: with the
    # person's name on it) say who the person is with what they typed or uploaded.
    personal_data = classify(
        free_text=[
            "organisation_name",
            "evidence_file",
            "evidence_name",
            "verification_note",
        ],
        not_personal=[
            "case_file",
            "kind",
            "start_date",
            "end_date",
            "contract_kind",
            "weekly_hours",
            "source",
            "evidence_content_type",
            "recorded_by",
            "recorded_at",
        ],
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        indexes = [models.Index(fields=["case_file", "start_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.start_date:%Y-%m-%d})"


class FollowUp(models.Model):
    """A check of the situation after exit, scheduled when the file is closed."""

    class Kind(models.TextChoices):
        UPON_LEAVING = "upon_leaving", _("Situation upon leaving")
        SIX_MONTHS = "six_months", _("Situation six months after leaving")

    class Situation(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        SELF_EMPLOYED = "self_employed", _("Self-employed")
        TRAINING = "training", _("In training")
        STUDIES = "studies", _("Back in studies")
        JOB_SEARCH = "job_search", _("Searching for a job")
        INACTIVE = "inactive", _("Inactive")
        UNREACHABLE = "unreachable", _("Unreachable")

    case_file = models.ForeignKey(
        CaseFile,
        on_delete=models.PROTECT,
        related_name="exit_follow_ups",
        verbose_name=_("case file"),
    )
    kind = models.CharField(_("follow-up"), max_length=14, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    situation = models.CharField(
        _("situation"), max_length=14, choices=Situation.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("contact attempts"), default=0)
    comment = models.TextField(_("comment"), blank=True)
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome recorded"),
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # Claimed by the reminder task with a conditional UPDATE: one e-mail per due date.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A copy of the file's advisor in charge (set when the follow-up is scheduled,
    # followed when the file changes advisor): the dashboard reads an advisor's open
    # follow-ups by due date on ``followup_open_by_advisor`` without
    # reading every file of the caseload (40,000 open files for ``advisor.busy``).
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("advisor"),
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,  # led by ``followup_open_by_advisor``
    )

    personal_data = classify(
        free_text=["comment"],
        not_personal=[
            "case_file",
            "kind",
            "due_on",
            "situation",
            "attempts",
            "outcome",
            "answered_on",
            "answered_by",
            "reminder_sent_at",
            "created_at",
            "advisor",
        ],
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("exit follow-up")
        verbose_name_plural = _("exit follow-ups")
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=models.Q(answered_on__isnull=True),
                name="outcomes_followup_open_due",
            ),
            models.Index(
                fields=["advisor", "due_on", "id"],
                condition=models.Q(answered_on__isnull=True),
                name="followup_open_by_advisor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.answered_on is None
