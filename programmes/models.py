"""Programmes are paths, not labels: a programme runs cohorts (editions), a cohort has
sessions of collective activities, case files are enrolled in cohorts and attendance is
recorded per session. Completion is never stored: it is derived from attendance and the
programme's rule at read time (``selectors.participant_rows``)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youthtrack.i18n import TranslatedNameMixin

# The catalogue (programmes, funders, rule sets) lives in youthtrack, the lower layer;
# re-exported here while code still imports it from programmes.
from youthtrack.models import Funder, Programme, RuleSet, TargetProfile  # noqa: F401, I001
from youthtrack.personal_data import classify


class Theme(models.TextChoices):
    WORK = "work", _("Work")
    LEARN = "learn", _("Learn")
    UNDERTAKE = "undertake", _("Undertake")
    MOVE = "move", _("Move")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    DUTCH = "nl", _("Dutch")
    BILINGUAL = "bilingual", _("Bilingual (French and Dutch)")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class ActivityType(TranslatedNameMixin):
    """Workshop, information session, coaching, company visit … (reference data)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    personal_data = classify(not_personal=["code", "sort_order"])

    class Meta:
        ordering = ["sort_order", "name_fr"]
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")


class ProgrammePhase(TranslatedNameMixin):
    """A step of a programme's path, e.g. Uppercut's two intensive weeks of collective
    activities, then individual follow-up."""

    class Kind(models.TextChoices):
        COLLECTIVE = "collective", _("Collective activities")
        INDIVIDUAL = "individual", _("Individual follow-up")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="phases",
        verbose_name=_("programme"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.COLLECTIVE
    )
    duration_weeks = models.PositiveSmallIntegerField(
        _("duration (weeks)"), null=True, blank=True
    )
    counts_for_completion = models.BooleanField(
        _("counts for completion"),
        default=False,
        help_text=_("Attendance at this phase's sessions decides completion."),
    )
    activity_types = models.ManyToManyField(
        ActivityType,
        blank=True,
        related_name="phases",
        verbose_name=_("activity types"),
    )

    personal_data = classify(
        not_personal=[
            "programme",
            "order",
            "kind",
            "duration_weeks",
            "counts_for_completion",
            "activity_types",
        ]
    )

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")


class Cohort(models.Model):
    """An edition of a programme: dates, places, advisors and organising partners."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="cohorts",
        verbose_name=_("programme"),
    )
    name = models.CharField(_("name"), max_length=120)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1)]
    )
    owner_organisation = models.ForeignKey(
        "youthtrack.Organisation",
        on_delete=models.PROTECT,
        related_name="cohorts",
        verbose_name=_("organisation in charge"),
    )
    advisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="cohorts",
        verbose_name=_("advisors"),
    )
    partners = models.ManyToManyField(
        "youthtrack.Organisation",
        blank=True,
        related_name="co_run_cohorts",
        verbose_name=_("organising partners"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    personal_data = classify(
        not_personal=[
            "programme",
            "name",
            "start_date",
            "end_date",
            "capacity",
            "owner_organisation",
            "advisors",
            "partners",
            "created_by",
            "created_at",
            "version",
        ]
    )

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="cohort_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_ended(self) -> bool:
        return self.end_date < timezone.localdate()


class Session(models.Model):
    """One collective activity of a cohort, at a time and a place (or a link)."""

    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("cohort"),
    )
    phase = models.ForeignKey(
        ProgrammePhase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("phase"),
    )
    activity_type = models.ForeignKey(
        ActivityType,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("activity type"),
    )
    title = models.CharField(_("title"), max_length=150, blank=True)
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.FRENCH
    )
    mode = models.CharField(
        _("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON
    )
    organiser = models.ForeignKey(
        "youthtrack.Organisation",
        on_delete=models.PROTECT,
        related_name="organised_sessions",
        verbose_name=_("organising organisation"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    personal_data = classify(
        not_personal=[
            "cohort",
            "phase",
            "activity_type",
            "title",
            "theme",
            "language",
            "mode",
            "organiser",
            "place",
            "link",
            "capacity",
            "starts_at",
            "ends_at",
            "created_by",
            "created_at",
        ]
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.activity_type.name

    @property
    def display_title(self) -> str:
        return self.title or self.activity_type.name

    @property
    def default_presence(self) -> str:
        return (
            Attendance.Presence.ONLINE
            if self.mode == Mode.ONLINE
            else Attendance.Presence.ON_SITE
        )


class Enrolment(models.Model):
    """A case file's place in a cohort, or its turn on the waiting list."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting list")
        ENROLLED = "enrolled", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class WithdrawalReason(models.TextChoices):
        JOB = "job", _("Found a job")
        TRAINING = "training", _("Started a training")
        STUDIES = "studies", _("Went back to studies")
        PERSONAL = "personal", _("Personal or health reasons")
        NO_CONTACT = "no_contact", _("No longer reachable")
        NOT_SUITED = "not_suited", _("The programme did not suit them")
        FILE_CLOSED = "file_closed", _("Their case file was closed")
        OTHER = "other", _("Other")

    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("cohort"),
    )
    case_file = models.ForeignKey(
        "youthtrack.CaseFile",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("case file"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    enrolled_at = models.DateTimeField(_("place given at"), null=True, blank=True)
    from_waiting_list = models.BooleanField(
        _("moved in from the waiting list"), default=False
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(
        _("reason for withdrawal"),
        max_length=12,
        choices=WithdrawalReason.choices,
        blank=True,
    )
    withdrawal_comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    version = models.PositiveIntegerField(default=1)

    personal_data = classify(
        free_text=["withdrawal_comment"],
        not_personal=[
            "cohort",
            "case_file",
            "status",
            "requested_at",
            "enrolled_at",
            "from_waiting_list",
            "withdrawn_on",
            "withdrawal_reason",
            "created_by",
            "version",
        ],
    )

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "case_file"],
                condition=~Q(status="withdrawn"),
                name="one_current_enrolment_per_cohort",
            )
        ]
        indexes = [models.Index(fields=["cohort", "status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.case_file_id} → {self.cohort_id} ({self.status})"


class Attendance(models.Model):
    """Whether a participant (a case file) came to a session, and how."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    class Presence(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")

    ATTENDED = (Status.PRESENT, Status.LATE)

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("session"),
    )
    case_file = models.ForeignKey(
        "youthtrack.CaseFile",
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("case file"),
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    presence = models.CharField(
        _("on site or online"), max_length=10, choices=Presence.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    personal_data = classify(
        not_personal=[
            "session",
            "case_file",
            "status",
            "presence",
            "recorded_by",
            "updated_by",
            "updated_at",
            "version",
        ]
    )

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "case_file"], name="one_attendance_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.case_file_id}: {self.status}"


class WalkIn(models.Model):
    """Someone who came to a collective activity without a case file, recorded with the
    minimum. Turned into a case file later without typing again."""

    class AgeBand(models.TextChoices):
        UNDER_15 = "0-14", _("Under 15")
        A15_17 = "15-17", _("15 to 17")
        A18_24 = "18-24", _("18 to 24")
        A25_29 = "25-29", _("25 to 29")
        OVER_29 = "30+", _("30 or over")

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="walk_ins",
        verbose_name=_("session"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    age_band = models.CharField(_("age"), max_length=6, choices=AgeBand.choices)
    commune = models.ForeignKey(
        "youthtrack.Commune", on_delete=models.PROTECT, verbose_name=_("commune")
    )
    gender = models.ForeignKey(
        "youthtrack.Gender", on_delete=models.PROTECT, verbose_name=_("gender")
    )
    presence = models.CharField(
        _("on site or online"),
        max_length=10,
        choices=Attendance.Presence.choices,
        default=Attendance.Presence.ON_SITE,
    )
    organisation = models.ForeignKey(
        "youthtrack.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by organisation"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    converted_case_file = models.ForeignKey(
        "youthtrack.CaseFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="walk_ins",
        verbose_name=_("case file opened"),
    )
    converted_at = models.DateTimeField(_("case file opened at"), null=True, blank=True)

    # As on the young person: the first name and gender say who, the commune where.
    personal_data = classify(
        identity=["first_name", "gender"],
        contact=["commune"],
        not_personal=[
            "session",
            "age_band",
            "presence",
            "organisation",
            "recorded_by",
            "recorded_at",
            "converted_case_file",
            "converted_at",
        ],
    )

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("walk-in")
        verbose_name_plural = _("walk-ins")

    def __str__(self) -> str:
        return self.first_name
