"""Report jobs: a funder report asked for, built in the background, kept as produced.

A job keeps what it was asked (rule set, operation, period, formats, language), who
asked, its progress, and — once done — the figures as computed (``result``), their
checksum and the files produced. Nothing of a done job changes when the data it
counted is edited later: a new report is a new job."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from youthtrack.models import Operation, Organisation
from youthtrack.personal_data import classify

from .records import private_evidence_storage

__all__ = ["ReportJob", "ReportFile"]


class ReportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class RuleSet(models.TextChoices):
        ESFPLUS2021 = "esfplus2021", _("ESF+ 2021-2027")
        ESF2014 = "esf2014", _("ESF 2014-2020 with the Youth Employment Initiative")
        ACTIRIS = "actiris", _("Actiris co-financing")
        ACTIVITY = "activity", _("Yearly activity figures")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        verbose_name=_("organisation"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        verbose_name=_("asked by"),
    )
    rule_set = models.CharField(
        _("indicator rule set"), max_length=20, choices=RuleSet.choices
    )
    operation = models.ForeignKey(
        Operation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_jobs",
        verbose_name=_("operation"),
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    formats = models.JSONField(_("formats"), default=list)
    language = models.CharField(_("language"), max_length=10, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    failure_reason = models.TextField(_("reason of the failure"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    checksum = models.CharField(_("checksum"), max_length=128, blank=True)
    result = models.JSONField(_("figures"), null=True, blank=True)
    # The claim of a running job is a lease: a worker killed in the middle leaves the
    # job "running" until ``lease_expires_at``; then a redelivered task or the sweep
    # (``report_jobs_sweep``) takes it over. ``attempts`` counts the claims and fences
    # the end: only the latest claim may mark the job done.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(_("claimed by task"), max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(_("lease ends at"), null=True, blank=True)

    # Figures only: no row names anyone.
    personal_data = classify(
        not_personal=[
            "organisation",
            "requested_by",
            "rule_set",
            "operation",
            "date_from",
            "date_to",
            "formats",
            "language",
            "status",
            "failure_reason",
            "progress",
            "created_at",
            "started_at",
            "finished_at",
            "parameters",
            "checksum",
            "result",
            "queued_at",
            "attempts",
            "claimed_by",
            "lease_expires_at",
        ]
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(
                fields=["organisation", "-created_at"], name="reportjob_org_created"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.date_from}–{self.date_to} ({self.status})"


def report_file_name(instance: "ReportFile", filename: str) -> str:
    """A random, unguessable name in the private storage."""
    return f"reports/{secrets.token_urlsafe(32)}.{instance.format}"


class ReportFile(models.Model):
    """A file a job produced, kept in the private storage (no URL: only the gated
    download view serves it)."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        JSON = "json", "JSON"

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    file = models.FileField(
        _("file"),
        upload_to=report_file_name,
        storage=private_evidence_storage,
        max_length=200,
    )
    size = models.PositiveIntegerField(_("size"), default=0)

    personal_data = classify(not_personal=["job", "format", "file", "size"])

    class Meta:
        ordering = ["format"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "format"], name="reportfile_one_per_format"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_id}.{self.format}"
