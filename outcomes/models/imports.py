"""Imports of past records (spreadsheets of earlier years).

``ImportReference`` keeps the spreadsheet's own number of a young person (its
``ref`` column) for the organisation that imported it, so that importing the same
file again finds the same person instead of registering them twice. ``ImportRun``
is one checked or imported file: who, when, what it found; the file itself is kept
only from the upload to the import (or the check that refused it), and cleared
after."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from youthtrack.models import Organisation, YoungPerson
from youthtrack.personal_data import classify

__all__ = ["ImportReference", "ImportRun"]


class ImportReference(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    ref = models.CharField(_("reference in the imported file"), max_length=100)
    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("young person"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The person's number in another organisation's files.
    personal_data = classify(
        identity=["ref"], not_personal=["organisation", "young_person", "created_at"]
    )

    class Meta:
        verbose_name = _("imported reference")
        verbose_name_plural = _("imported references")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "ref"], name="import_reference_unique_ref"
            )
        ]

    def __str__(self) -> str:
        return self.ref


class ImportRun(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked, not imported yet")
        REFUSED = "refused", _("Refused: the file has problems")
        IMPORTING = "importing", _("Being imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # The file between the dry run and the import (cleared once imported).
    content = models.BinaryField(null=True, blank=True, editable=False)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    # The check and the import run in the background (``outcomes.import_process``):
    # the page follows their progress; the problems of the latest check are kept to
    # be shown (sheet, line, column, reason in ``language``).
    problems = models.JSONField(_("problems found"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=10, default="fr")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    failure_reason = models.TextField(_("reason of the failure"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The claim of the task working on it, as a lease (as for report jobs).
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(_("claimed by task"), max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(_("lease ends at"), null=True, blank=True)

    # The uploaded workbook holds the people it imports; its name was typed; a
    # problem quotes the cell it is about ("“31/02/2004” is not a date"); a failure
    # names the kind of error only.
    personal_data = classify(
        identity=["content"],
        free_text=["file_name", "problems"],
        not_personal=[
            "organisation",
            "user",
            "sha256",
            "status",
            "counts",
            "problem_count",
            "created_at",
            "language",
            "progress",
            "failure_reason",
            "finished_at",
            "queued_at",
            "attempts",
            "claimed_by",
            "lease_expires_at",
        ],
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import of past records")
        verbose_name_plural = _("imports of past records")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
