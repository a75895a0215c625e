"""The young person's progress: distance travelled and goals."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from youthtrack.personal_data import classify

__all__ = ["SCALES", "Assessment", "Goal"]

SCORE_MIN, SCORE_MAX = 1, 10


def _score(label) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        help_text=_("From 1 (not at all) to 10 (fully)."),
    )


class Assessment(models.Model):
    """The young person's self-assessment on fixed scales, taken at entry, at the end
    of the intensive phase and at exit: one per moment per case file."""

    class Moment(models.TextChoices):
        ENTRY = "entry", pgettext_lazy("assessment moment", "Entry")
        INTENSIVE_END = (
            "intensive_end",
            pgettext_lazy("assessment moment", "End of intensive phase"),
        )
        EXIT = "exit", pgettext_lazy("assessment moment", "Exit")

    case_file = models.ForeignKey(
        "youthtrack.CaseFile",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("case file"),
    )
    moment = models.CharField(_("moment"), max_length=20, choices=Moment.choices)
    assessed_on = models.DateField(_("assessed on"))
    confidence = _score(_("self-confidence"))
    project_clarity = _score(_("clarity of the professional project"))
    job_search = _score(_("job-search skills"))
    digital = _score(_("digital skills"))
    mobility = _score(_("mobility"))
    languages = _score(_("languages"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    personal_data = classify(
        not_personal=[
            "case_file",
            "moment",
            "assessed_on",
            "confidence",
            "project_clarity",
            "job_search",
            "digital",
            "mobility",
            "languages",
            "recorded_by",
            "created_at",
            "updated_at",
            "version",
        ]
    )

    class Meta:
        verbose_name = _("distance-travelled assessment")
        verbose_name_plural = _("distance-travelled assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["case_file", "moment"], name="one_assessment_per_moment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_moment_display()} ({self.assessed_on:%Y-%m-%d})"


# The scales in the order they are shown: (field name, the model field).
SCALES = (
    "confidence",
    "project_clarity",
    "job_search",
    "digital",
    "mobility",
    "languages",
)


class Goal(models.Model):
    """A goal of the young person's action plan, reviewed at each follow-up."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("goal status", "Open")
        ACHIEVED = "achieved", pgettext_lazy("goal status", "Achieved")
        DROPPED = "dropped", pgettext_lazy("goal status", "Dropped")

    case_file = models.ForeignKey(
        "youthtrack.CaseFile",
        on_delete=models.PROTECT,
        related_name="goals",
        verbose_name=_("case file"),
    )
    text = models.CharField(_("goal"), max_length=300)
    target_date = models.DateField(_("target date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    personal_data = classify(
        free_text=["text", "review_note"],
        not_personal=[
            "case_file",
            "target_date",
            "status",
            "reviewed_on",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ],
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["target_date", "pk"]
        indexes = [models.Index(fields=["case_file", "status"])]

    def __str__(self) -> str:
        return self.text
