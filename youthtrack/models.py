"""The core of youthtrack: organisations, people, the programme catalogue, case files,
consent, notes, audit.

Facts are stored as the advisor records them (dates, situations at entry); every figure
a funder asks for is derived from them at report time, never typed in.
"""

import datetime
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from .i18n import TranslatedNameMixin
from .personal_data import classify

# Every model declares which of its fields are personal, and of what kind, in
# ``personal_data`` (read through ``youthtrack.personal_data``).


# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ŀ": "l",
    }
)


def normalise_name(*parts: str) -> str:
    """Lower-case, accent-free, single-spaced form of a name, for duplicate checks."""
    text = (
        " ".join(part for part in parts if part).casefold().translate(_UNDECOMPOSABLE)
    )
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in stripped.casefold())
    return " ".join(cleaned.split())


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Age in completed years on a given day (the funders' definition)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


# --- Reference data (loaded from fixtures/) ---


class Gender(TranslatedNameMixin):
    code = models.SlugField(_("code"), max_length=20, primary_key=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    personal_data = classify(not_personal=["code", "sort_order"])

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("gender")
        verbose_name_plural = _("genders")


class ContactChannel(TranslatedNameMixin):
    code = models.SlugField(_("code"), max_length=20, primary_key=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    personal_data = classify(not_personal=["code", "sort_order"])

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")


class Commune(TranslatedNameMixin):
    """The 19 Brussels communes, and one row for "outside the Brussels region"."""

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    in_brussels_region = models.BooleanField(_("in the Brussels region"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    personal_data = classify(
        not_personal=["code", "postcode", "in_brussels_region", "sort_order"]
    )

    class Meta:
        ordering = ["sort_order", "name_fr"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return f"{self.postcode} {self.name}".strip()


class IscedLevel(TranslatedNameMixin):
    level = models.PositiveSmallIntegerField(_("ISCED level"), primary_key=True)

    personal_data = classify(not_personal=["level"])

    class Meta:
        ordering = ["level"]
        verbose_name = _("ISCED level")
        verbose_name_plural = _("ISCED levels")

    def __str__(self) -> str:
        return f"ISCED {self.level} – {self.name}"


class Diploma(TranslatedNameMixin):
    """A Belgian (or foreign) qualification and the ISCED level it maps to."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    isced_level = models.ForeignKey(
        IscedLevel, on_delete=models.PROTECT, verbose_name=_("ISCED level")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    personal_data = classify(not_personal=["code", "isced_level", "sort_order"])

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("diploma")
        verbose_name_plural = _("diplomas")


class Organisation(models.Model):
    class Circle(models.TextChoices):
        HOST = "host", _("Host (Cité des métiers)")
        FIRST = "first", _("First circle: individual counselling at the CDM")
        SECOND = "second", _("Second circle: collective activities")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40)
    circle = models.CharField(
        _("circle"), max_length=10, choices=Circle.choices, default=Circle.FIRST
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The django-guardian group that receives object permissions on the case files
    # shared with this organisation.
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="organisation",
    )

    personal_data = classify(
        not_personal=["code", "name", "short_name", "circle", "is_active", "group"]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name or self.name


# --- Catalogue: what a case file points at (programmes, funders) ---


class TargetProfile(models.TextChoices):
    SECONDARY_PUPIL = "secondary_pupil", _("Secondary-school pupils")
    HIGHER_EDUCATION_STUDENT = "higher_education", _("Higher-education students")
    TRAINING_SEEKER = "training_seeker", _("Training seekers")
    JOB_SEEKER = "job_seeker", _("Job or internship seekers")
    NEET = "neet", _("NEETs (not in employment, education or training)")


class RuleSet(models.TextChoices):
    """The versioned rule sets of funder indicators (funder-indicators.md)."""

    ESF2014 = "esf2014", _("ESF 2014-2020 with the Youth Employment Initiative")
    ESFPLUS2021 = "esfplus2021", _("ESF+ 2021-2027")
    ACTIRIS = "actiris", _("Actiris co-financing")


class Funder(TranslatedNameMixin):
    """Who co-finances a programme (Actiris, the ESF, the YEI …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    personal_data = classify(not_personal=["code"])

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")


class Programme(TranslatedNameMixin):
    """A programme young people follow (Touch'N'Go, Uppercut, Youth@CDM)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # Eligibility
    min_age = models.PositiveSmallIntegerField(_("minimum age at entry"), default=15)
    max_age = models.PositiveSmallIntegerField(_("maximum age at entry"), default=29)
    requires_actiris_registration = models.BooleanField(
        _("registration at Actiris required"), default=False
    )
    target_profiles = models.JSONField(
        _("target profiles"),
        default=list,
        blank=True,
        help_text=_("Leave empty when the programme is open to every young person."),
    )
    # Funding
    funders = models.ManyToManyField(
        Funder, blank=True, related_name="programmes", verbose_name=_("funders")
    )
    # Completion
    completion_min_rate = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Share of the sessions of the phases that count for completion that a "
            "participant must attend."
        ),
    )
    completion_counts_excused = models.BooleanField(
        _("excused absences count as attended"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    personal_data = classify(
        not_personal=[
            "code",
            "description_fr",
            "description_nl",
            "description_en",
            "min_age",
            "max_age",
            "requires_actiris_registration",
            "target_profiles",
            "funders",
            "completion_min_rate",
            "completion_counts_excused",
            "is_active",
        ]
    )

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def accepts_age(self, age: int) -> bool:
        return self.min_age <= age <= self.max_age

    @property
    def description(self) -> str:
        language = (get_language() or "fr")[:2]
        return getattr(self, f"description_{language}", None) or self.description_fr

    def get_target_profiles_display(self) -> list[str]:
        labels = dict(TargetProfile.choices)
        return [str(labels[code]) for code in self.target_profiles if code in labels]


# The settings funder-indicators.md marks "to confirm": each operation carries its own,
# these values being the defaults, and every report shows the values it used.
OPERATION_PARAMETER_DEFAULTS = {
    # Unemployed at entry for more than this many continuous months = long-term.
    "long_term_unemployed_months_under_25": 6,
    "long_term_unemployed_months_25_and_over": 12,
    # "Upon leaving" (and Actiris' positive exits): days after the exit date.
    "leaving_window_days": 28,
    # No figure below this count is broken down further.
    "small_cell_threshold": 5,
}


def operation_parameter_defaults() -> dict[str, int]:
    return dict(OPERATION_PARAMETER_DEFAULTS)


class Operation(models.Model):
    """A programme under one funding decision: participants are counted once per
    operation, with the rule set and settings of that decision. A programme runs
    under several operations over the years (Touch'N'Go: ESF 2014-2020, then ESF+
    2021-2027)."""

    reference = models.CharField(
        _("reference"),
        max_length=60,
        unique=True,
        help_text=_("The funding decision's reference, as the funder writes it."),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="operations",
        verbose_name=_("programme"),
    )
    funders = models.ManyToManyField(
        Funder, blank=True, related_name="operations", verbose_name=_("funders")
    )
    rule_set = models.CharField(
        _("indicator rule set"), max_length=20, choices=RuleSet.choices
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    parameters = models.JSONField(
        _("parameters"),
        default=operation_parameter_defaults,
        blank=True,
        help_text=_(
            "Settings of the rule set still to be confirmed by the funder; a missing "
            "setting takes its default value."
        ),
    )
    retention_until = models.DateField(
        _("keep closed case files until"),
        null=True,
        blank=True,
        help_text=_(
            "After this date the closed case files of the operation are anonymised "
            "(names, contact details, notes and evidence removed; the figures of its "
            "reports stay the same). Leave empty for the end of the funder's audit "
            "period: 31 December of the fifth year after the operation's end, as the "
            "ESF+ requires."
        ),
    )

    personal_data = classify(
        not_personal=[
            "reference",
            "programme",
            "funders",
            "rule_set",
            "start",
            "end",
            "parameters",
            "retention_until",
        ]
    )

    class Meta:
        ordering = ["programme", "start", "reference"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="operation_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["programme", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.reference} ({self.start.year}-{self.end.year})"

    @property
    def settings(self) -> dict[str, int]:
        """The parameters in force: the operation's own over the defaults."""
        return {**OPERATION_PARAMETER_DEFAULTS, **(self.parameters or {})}

    def retention_end(self) -> datetime.date:
        """The last day its closed case files are kept with the people's names."""
        return self.retention_until or default_retention_end(self.end)

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.start and self.end and self.end < self.start:
            errors.setdefault("end", []).append(
                _("The operation cannot end before it starts.")
            )
        if not isinstance(self.parameters, dict):
            errors.setdefault("parameters", []).append(
                _("The parameters must be an object of named settings.")
            )
        else:
            for name, value in self.parameters.items():
                if name not in OPERATION_PARAMETER_DEFAULTS:
                    errors.setdefault("parameters", []).append(
                        _("Unknown setting “%(name)s”.") % {"name": name}
                    )
                elif type(value) is not int or value < 1:
                    errors.setdefault("parameters", []).append(
                        _("The setting “%(name)s” must be a whole number above 0.")
                        % {"name": name}
                    )
        if self.start and self.end and self.programme_id and self.rule_set:
            overlapping = (
                Operation.objects.filter(
                    programme_id=self.programme_id,
                    rule_set=self.rule_set,
                    start__lte=self.end,
                    end__gte=self.start,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping is not None:
                errors.setdefault("start", []).append(
                    _(
                        "The operation %(other)s of this programme, under the same "
                        "rule set, already covers part of this period."
                    )
                    % {"other": overlapping}
                )
        if errors:
            raise ValidationError(errors)


def default_retention_end(end: datetime.date) -> datetime.date:
    """31 December of the N-th year after ``end`` (the funder's audit period: the
    ESF+ keeps documents until 31 December of the fifth year after the operation's
    end; N is ``YOUTHTRACK_RETENTION_YEARS_AFTER_END``)."""
    return datetime.date(
        end.year + settings.YOUTHTRACK_RETENTION_YEARS_AFTER_END, 12, 31
    )


# --- Users ---


class User(AbstractUser):
    class Role(models.TextChoices):
        ADVISOR = "advisor", _("Youth advisor")
        PARTNER = "partner", _("Partner staff")
        LEAD = "lead", _("Project lead")
        ADMIN = "admin", _("Administrator")
        DPO = "dpo", _("Data protection officer")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.ADVISOR
    )
    programmes_led = models.ManyToManyField(
        Programme,
        blank=True,
        related_name="leads",
        verbose_name=_("programmes led"),
        help_text=_("A project lead sees every case file of the programmes they lead."),
    )
    is_data_protection_officer = models.BooleanField(
        _("also data protection officer"),
        default=False,
        help_text=_(
            "For an administrator: also finds the young people of the "
            "organisation's case files and exports what is held about them (the "
            "data protection officer's role)."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The interface's language at login, and the language of the e-mails "
            "this person receives; set when they switch language (or, until then, "
            "at their first login)."
        ),
    )
    must_change_password = models.BooleanField(
        _("must change password at next login"),
        default=False,
        help_text=_(
            "Set when an administrator chooses the password: the account's owner "
            "must choose a new one before anything else."
        ),
    )

    # Staff accounts: their names and e-mail are personal data too (kept out of the
    # audit diff and of logs like any other).
    personal_data = classify(
        identity=["username", "first_name", "last_name"],
        contact=["email"],
        not_personal=[
            "password",
            "last_login",
            "is_superuser",
            "is_staff",
            "is_active",
            "date_joined",
            "groups",
            "user_permissions",
            "organisation",
            "role",
            "programmes_led",
            "must_change_password",
            "is_data_protection_officer",
            "language",
        ],
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def messages_language(self) -> str:
        """The language of what is written to this person: theirs, else the
        default."""
        known = {code for code, _name in settings.LANGUAGES}
        return self.language if self.language in known else settings.LANGUAGE_CODE

    @property
    def works_on_cases(self) -> bool:
        """Advisors and project leads keep their organisation's case files."""
        return self.role in {self.Role.ADVISOR, self.Role.LEAD}

    @property
    def reads_case_files(self) -> bool:
        """Administrators and data protection officers open no case file: the
        officer finds people and exports what is held about them on their own
        pages (``access.dpo_young_people``), and writes nothing on a file."""
        return self.role not in {self.Role.ADMIN, self.Role.DPO}

    @property
    def acts_as_dpo(self) -> bool:
        """A data protection officer, or an administrator who holds that role."""
        return bool(
            self.is_active
            and self.organisation_id is not None
            and (
                self.role == self.Role.DPO
                or (self.role == self.Role.ADMIN and self.is_data_protection_officer)
            )
        )


class AccountChangeRequest(models.Model):
    """A change to an account that would let it read case files (a case-reading role,
    its organisation or programmes, its activation) or make it a superuser: asked by
    one administrator, applied only when a different administrator approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    account = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("account"),
    )
    # {field: [value before, value asked]}; organisation and programmes as ids.
    changes = models.JSONField(_("changes"), default=dict)
    # The account's access as it was when the change was asked: the change is applied
    # only if nothing moved in between.
    state_before = models.JSONField(_("state when asked"), default=dict)
    requested_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    requested_at = models.DateTimeField(_("asked on"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    # ``changes`` and ``state_before`` hold access settings only (role,
    # organisation, programmes, activation, superuser status).
    personal_data = classify(
        not_personal=[
            "account",
            "changes",
            "state_before",
            "requested_by",
            "requested_at",
            "status",
            "decided_by",
            "decided_at",
        ]
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("account change request")
        verbose_name_plural = _("account change requests")

    def __str__(self) -> str:
        return f"#{self.pk} {self.account.username}"


# --- Young people and case files ---


class DeclinableAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    DECLINED = "declined", _("Declined to state")


class YoungPerson(models.Model):
    class Citizenship(models.TextChoices):
        BELGIAN = "be", _("Belgian")
        EU = "eu", _("Other EU country")
        THIRD_COUNTRY = "third", _("Non-EU country")
        STATELESS = "stateless", _("Stateless")
        UNKNOWN = "unknown", _("Not known")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    name_key = models.CharField(max_length=210, editable=False, db_index=True)
    birth_date = models.DateField(_("date of birth"))
    gender = models.ForeignKey(
        Gender, on_delete=models.PROTECT, verbose_name=_("gender")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, verbose_name=_("commune of residence")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    speaks_french = models.BooleanField(_("speaks French"), default=False)
    speaks_dutch = models.BooleanField(_("speaks Dutch"), default=False)
    other_languages = models.CharField(_("other languages"), max_length=200, blank=True)
    citizenship = models.CharField(
        _("citizenship"),
        max_length=10,
        choices=Citizenship.choices,
        default=Citizenship.UNKNOWN,
    )
    created_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # A duplicate merged into another record of the same person (by a project lead):
    # kept, with its own history, but no longer offered nor linked.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_people",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged on"), null=True, blank=True)
    # Set once the person's identity is removed (erasure, or retention of their last
    # case file): ``services.anonymisation``.
    anonymised_at = models.DateTimeField(
        _("anonymised on"), null=True, blank=True, editable=False
    )

    personal_data = classify(
        identity=[
            "first_name",
            "last_name",
            "name_key",
            "birth_date",
            "gender",
            "citizenship",
        ],
        # The commune of residence is the part of the address youthtrack keeps.
        contact=["phone", "email", "commune"],
        free_text=["other_languages"],
        not_personal=[
            "speaks_french",
            "speaks_dutch",
            "created_by_organisation",
            "created_at",
            "updated_at",
            "version",
            "merged_into",
            "merged_at",
            "anonymised_at",
        ],
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("young person")
        verbose_name_plural = _("young people")
        indexes = [
            models.Index(fields=["name_key", "birth_date"]),
            # The case list's age filter. (Sorting by name reads the index of
            # name_key; the name search, on PostgreSQL, a trigram index on it: see
            # migration 0004.)
            models.Index(fields=["birth_date"], name="youngperson_birth_date"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.name_key = normalise_name(self.last_name, self.first_name)
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and self.name_key != getattr(self, "_saved_name_key", None):
            # The case files sort and search by the name they keep a copy of.
            CaseFile.objects.filter(young_person_id=self.pk).exclude(
                name_key=self.name_key
            ).update(name_key=self.name_key)
        self._saved_name_key = self.name_key

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._saved_name_key = person.__dict__.get("name_key")
        return person

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)

    @property
    def age(self) -> int:
        return age_on(self.birth_date, timezone.localdate())


class CaseFile(models.Model):
    class Status(models.TextChoices):
        INTAKE = "intake", _("Intake")
        ACTIVE = "active", _("Active")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", _("Closed")

    class EmploymentStatus(models.TextChoices):
        UNEMPLOYED = "unemployed", _("Unemployed (job seeker)")
        INACTIVE = "inactive", _("Inactive (not working, not looking)")
        EMPLOYED = "employed", _("Employed or self-employed")

    class Education(models.TextChoices):
        NONE = "none", _("Not in education or training")
        FULL_TIME_STUDENT = "student", _("Full-time student")
        PART_TIME = "part_time", _("Part-time or evening education")
        TRAINING = "training", _("Non-formal training")

    class Referral(models.TextChoices):
        OWN_INITIATIVE = "own", _("Came on their own initiative")
        REFERRED = "referred", _("Referred by an organisation")

    class ExitReason(models.TextChoices):
        COMPLETED = "completed", _("Path completed")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        NO_CONTACT = "no_contact", _("No longer reachable")
        MOVED = "moved", _("Moved away")
        REDIRECTED = "redirected", _("Redirected to another service")
        OTHER = "other", _("Other")

    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.PROTECT,
        related_name="case_files",
        verbose_name=_("young person"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="case_files",
        verbose_name=_("programme"),
    )
    # Chosen from the entry date by the intake and update services, never typed:
    # the operation of the programme whose period covers the entry date, if any.
    operation = models.ForeignKey(
        Operation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="case_files",
        verbose_name=_("operation"),
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="case_files",
        verbose_name=_("organisation"),
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("advisor in charge"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.INTAKE,
        db_index=True,
    )
    entry_date = models.DateField(_("entry date"))
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.CharField(
        _("exit reason"), max_length=20, choices=ExitReason.choices, blank=True
    )
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    # The latest contact date of the notes the whole owner organisation reads (shared
    # notes, and its own organisation notes; never a private note nor a partner's
    # internal one), kept by the note services in the note's transaction
    # (``services.notes.refresh_last_contact``) so that the dashboard sorts and
    # filters on it instead of aggregating notes. For the owner organisation only: a
    # partner is never shown it.
    last_contact_on = models.DateField(
        _("last contact"), null=True, blank=True, editable=False
    )
    # The young person's normalised name (``YoungPerson.name_key``), copied onto the
    # file so that the case list sorts and searches by name on the file's own
    # indexes, within the organisation, instead of joining every young person. Set
    # when the file is opened and whenever the person's name changes
    # (``YoungPerson.save``); a service that moves files to another person (a merge)
    # sets it with them. Cleared with the file's personal data.
    name_key = models.CharField(max_length=210, editable=False, blank=True, default="")
    # Until when a consent to keep the file (processing of personal data) is in
    # force: the latest expiry of those not withdrawn (``KEEP_CONSENT_NO_EXPIRY`` for
    # one without expiry), NULL when none. Kept by ``Consent.save`` in the consent's
    # transaction (``keep_consent_refresh``), so that the dashboard reads only the
    # files without one (``keep_consent_until < today`` or NULL) on
    # ``casefile_open_by_keep_consent`` instead of checking every file's consents.
    keep_consent_until = models.DateField(
        _("consent to keep the file until"), null=True, blank=True, editable=False
    )

    # Situation at entry, as funders define it (funder-indicators.md).
    employment_status = models.CharField(
        _("employment status at entry"),
        max_length=12,
        choices=EmploymentStatus.choices,
    )
    unemployed_since = models.DateField(_("unemployed since"), null=True, blank=True)
    education = models.CharField(
        _("education or training at entry"),
        max_length=12,
        choices=Education.choices,
        default=Education.NONE,
    )
    highest_diploma = models.ForeignKey(
        Diploma,
        on_delete=models.PROTECT,
        verbose_name=_("highest diploma completed"),
    )
    registered_at_actiris = models.BooleanField(
        _("registered as a job seeker at Actiris"), default=False
    )
    disability = models.CharField(
        _("disability"),
        max_length=10,
        choices=DeclinableAnswer.choices,
        default=DeclinableAnswer.DECLINED,
    )
    foreign_background = models.CharField(
        _("foreign or migrant background"),
        max_length=10,
        choices=DeclinableAnswer.choices,
        default=DeclinableAnswer.DECLINED,
    )
    minority = models.CharField(
        _("minority"),
        max_length=10,
        choices=DeclinableAnswer.choices,
        default=DeclinableAnswer.DECLINED,
    )
    homeless = models.CharField(
        _("homeless or affected by housing exclusion"),
        max_length=10,
        choices=DeclinableAnswer.choices,
        default=DeclinableAnswer.DECLINED,
    )
    first_visit = models.BooleanField(_("first visit this year"), default=True)
    referral = models.CharField(
        _("how they came"),
        max_length=10,
        choices=Referral.choices,
        default=Referral.OWN_INITIATIVE,
    )
    referred_by = models.CharField(_("referred by"), max_length=200, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    # Kept by services with their own queries, never written back from a form's copy
    # of the row (``services.versioning.versioned_update``).
    KEPT_BY_SERVICES = ("last_contact_on", "name_key")
    # A legal hold (the file is under audit or in a procedure): neither erasure nor
    # retention anonymises it while it holds. Set and lifted by a project lead or the
    # data protection officer (``services.anonymisation.legal_hold_set``), audited.
    legal_hold_reason = models.TextField(
        _("reason of the legal hold"), blank=True, editable=False
    )
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("legal hold set by"),
    )
    legal_hold_since = models.DateTimeField(
        _("under legal hold since"), null=True, blank=True, editable=False
    )
    # Set once its personal data is removed (``services.anonymisation``).
    anonymised_at = models.DateTimeField(
        _("anonymised on"), null=True, blank=True, editable=False
    )

    personal_data = classify(
        # The person's name, copied for the case list's sort and search.
        identity=["name_key"],
        sensitive=["disability", "foreign_background", "minority", "homeless"],
        # A person's or a service's name, as the advisor typed it; the hold's reason.
        free_text=["referred_by", "legal_hold_reason"],
        not_personal=[
            "young_person",
            "programme",
            "operation",
            "owner_organisation",
            "advisor",
            "status",
            "entry_date",
            "exit_date",
            "exit_reason",
            "next_follow_up_on",
            "keep_consent_until",
            "last_contact_on",
            "employment_status",
            "unemployed_since",
            "education",
            "highest_diploma",
            "registered_at_actiris",
            "first_visit",
            "referral",
            "created_by",
            "created_at",
            "updated_at",
            "version",
            "legal_hold_by",
            "legal_hold_since",
            "anonymised_at",
        ],
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        indexes = [
            # The case list: one index per sort it offers (and the status filter),
            # each in the list's order (the sort, then the number, newest first), so
            # that a page is read in order and stopped after 25 rows.
            models.Index(
                fields=["owner_organisation", "-updated_at", "-id"],
                name="casefile_org_updated",
            ),
            models.Index(
                fields=["owner_organisation", "status", "-updated_at", "-id"],
                name="casefile_org_status_updated",
            ),
            models.Index(
                fields=["owner_organisation", "-entry_date", "-id"],
                name="casefile_org_entry",
            ),
            models.Index(
                fields=["owner_organisation", "next_follow_up_on", "-id"],
                name="casefile_org_follow_up",
            ),
            # Sorted by name; the name search has a trigram index on PostgreSQL
            # (migration 0011).
            models.Index(
                fields=["owner_organisation", "name_key", "-id"],
                name="casefile_org_name",
            ),
            models.Index(fields=["advisor", "status"]),
            # The advisor's dashboard: open files by next follow-up and by last
            # contact, read in order and stopped after a page, whatever the caseload.
            models.Index(
                fields=["advisor", "next_follow_up_on", "id"],
                condition=~models.Q(status="closed"),
                name="casefile_open_by_follow_up",
            ),
            models.Index(
                fields=["advisor", "last_contact_on", "id"],
                condition=~models.Q(status="closed"),
                name="casefile_open_by_contact",
            ),
            # Open files without a consent to keep them (NULL, or expired).
            models.Index(
                fields=["advisor", "keep_consent_until", "id"],
                condition=~models.Q(status="closed"),
                name="casefile_open_by_keep_consent",
            ),
        ]
        permissions = [
            (
                "view_shared_casefile",
                "View case files shared with the organisation",
            ),
            (
                "add_note_shared_casefile",
                "Add notes to case files shared with the organisation",
            ),
            (
                "record_outcome_shared_casefile",
                "Record outcomes on case files shared with the organisation",
            ),
            (
                "override_sharing_consent",
                "Share a case file without a recorded consent (with a reason)",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.young_person}"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.name_key and self.young_person_id:
            self.name_key = self.young_person.name_key
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def age_at_entry(self) -> int:
        return self.young_person.age_on(self.entry_date)


class CaseStatusChange(models.Model):
    """Every move of a case file through its lifecycle, dated and attributed."""

    case_file = models.ForeignKey(
        CaseFile, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=CaseFile.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=10, choices=CaseFile.Status.choices
    )
    effective_date = models.DateField(_("date"))
    comment = models.TextField(_("comment"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    personal_data = classify(
        free_text=["comment"],
        not_personal=[
            "case_file",
            "from_status",
            "to_status",
            "effective_date",
            "changed_by",
            "changed_at",
        ],
    )

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.case_file_id}: {self.from_status} → {self.to_status}"


class Consent(models.Model):
    class Purpose(models.TextChoices):
        DATA_PROCESSING = "processing", _("Processing of personal data")
        SHARING = "sharing", _("Sharing the case file with a partner")
        FUNDER_REPORTING = "reporting", _("Reporting to funders (ESF+, Actiris)")

    class GivenBy(models.TextChoices):
        YOUNG_PERSON = "self", _("The young person")
        GUARDIAN = "guardian", _("A parent or guardian")

    case_file = models.ForeignKey(
        CaseFile,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("case file"),
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organisation covered"),
    )
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    # A consent to sharing names the sensitive answers at entry the partner may see
    # (field names of CaseFile's sensitive fields: ``personal_data``); none unless
    # named.
    sensitive_data = models.JSONField(
        _("sensitive answers the partner may see"), default=list, blank=True
    )
    given_by = models.CharField(
        _("given by"),
        max_length=10,
        choices=GivenBy.choices,
        default=GivenBy.YOUNG_PERSON,
    )
    guardian_name = models.CharField(
        _("name of parent or guardian"), max_length=200, blank=True
    )
    given_on = models.DateField(_("date given"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    expires_on = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the consent holds until it is withdrawn."),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )

    personal_data = classify(
        identity=["guardian_name"],
        free_text=["scope"],
        not_personal=[
            "case_file",
            "purpose",
            "sensitive_data",
            "partner",
            "given_by",
            "given_on",
            "recorded_by",
            "recorded_at",
            "expires_on",
            "withdrawn_on",
            "withdrawn_by",
        ],
    )

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_on})"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if self.purpose == self.Purpose.DATA_PROCESSING:
                keep_consent_refresh([self.case_file_id])

    def is_active_on(self, day: datetime.date) -> bool:
        return (
            self.given_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())


# ``CaseFile.keep_consent_until`` of a consent to keep the file without expiry.
KEEP_CONSENT_NO_EXPIRY = datetime.date(9999, 12, 31)


def keep_consent_refresh(case_file_ids: Iterable[int]) -> None:
    """Set ``CaseFile.keep_consent_until`` of these files from their consents to keep
    them that are not withdrawn (a consent cannot be given nor withdrawn in the
    future, so "in force today" is ``keep_consent_until >= today``)."""
    until = (
        Consent.objects.filter(
            case_file_id=models.OuterRef("pk"),
            purpose=Consent.Purpose.DATA_PROCESSING,
            withdrawn_on__isnull=True,
        )
        .order_by()
        .values("case_file_id")
        .annotate(
            until=models.Max(
                Coalesce(
                    "expires_on",
                    models.Value(KEEP_CONSENT_NO_EXPIRY, models.DateField()),
                )
            )
        )
        .values("until")
    )
    CaseFile.objects.filter(pk__in=list(case_file_ids)).update(
        keep_consent_until=models.Subquery(until)
    )


class Share(models.Model):
    """A referral: a case file shared with a partner organisation, for a purpose and a
    scope, until it is declined, revoked, expires or its consent is withdrawn."""

    class Scope(models.TextChoices):
        VIEW = "view", _("View the case file")
        NOTES = "notes", _("View and add notes")
        OUTCOMES = "outcomes", _("View, add notes and record outcomes")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the partner's answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")

    case_file = models.ForeignKey(
        CaseFile,
        on_delete=models.PROTECT,
        related_name="shares",
        verbose_name=_("case file"),
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="received_shares",
        verbose_name=_("partner organisation"),
    )
    # The case file's owner organisation, the one that shares: copied from the file
    # when the sharing is made (``services.case_file_share``), so that an
    # organisation's sharings ("shared by us") are read from the index below instead
    # of joining every case file of the organisation with every sharing.
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sent_shares",
        editable=False,
        # The index below leads with it.
        db_index=False,
        verbose_name=_("shared by organisation"),
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    scope = models.CharField(
        _("what the partner may do"),
        max_length=10,
        choices=Scope.choices,
        default=Scope.VIEW,
    )
    end_date = models.DateField(_("shared until"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("consent"),
    )
    override_reason = models.TextField(
        _("reason for sharing without consent"), blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared by"),
    )
    created_at = models.DateTimeField(_("shared on"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # When the owner's advisor saw the decline (dashboard notice dismissed); empty
    # while the notice waits for them.
    decline_seen_at = models.DateTimeField(_("decline seen on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)

    personal_data = classify(
        free_text=["purpose", "override_reason", "decline_reason"],
        not_personal=[
            "case_file",
            "partner",
            "owner_organisation",
            "scope",
            "end_date",
            "status",
            "consent",
            "created_by",
            "created_at",
            "answered_by",
            "answered_at",
            "ended_by",
            "ended_at",
            "decline_seen_at",
        ],
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sharing")
        verbose_name_plural = _("sharings")
        indexes = [
            # The access gate reads a partner's live shares by this index alone: the
            # case file ids come from it, so the gate never reads the case file table
            # to find what is shared (``access.shared_with_organisation``).
            models.Index(
                fields=["partner", "status", "case_file"],
                name="share_partner_status_file",
            ),
            # "Shared by us": the organisation's sharings, newest first.
            models.Index(
                fields=["owner_organisation", "-created_at", "-id"],
                name="share_owner_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_file_id} → {self.partner}"

    def save(self, *args, **kwargs):
        if self.owner_organisation_id is None and self.case_file_id is not None:
            self.owner_organisation_id = self.case_file.owner_organisation_id
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.ACCEPTED}


class CaseFileGroupObjectPermission(GroupObjectPermissionBase):
    """django-guardian's direct foreign-key table for case-file permissions granted to
    an organisation's group (faster than the generic table, joinable in one query)."""

    content_object = models.ForeignKey(CaseFile, on_delete=models.CASCADE)

    personal_data = classify(not_personal=["permission", "group", "content_object"])

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        verbose_name = _("case file permission")
        verbose_name_plural = _("case file permissions")


class Note(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Only me")
        ORGANISATION = "organisation", _("My organisation")
        SHARED = "shared", _("Every organisation the case is shared with")

    case_file = models.ForeignKey(
        CaseFile,
        on_delete=models.PROTECT,
        related_name="notes",
        verbose_name=_("case file"),
    )
    contact_date = models.DateField(_("date of contact"))
    channel = models.ForeignKey(
        ContactChannel, on_delete=models.PROTECT, verbose_name=_("channel")
    )
    topic = models.CharField(_("topic"), max_length=150)
    text = models.TextField(_("note"))
    visibility = models.CharField(
        _("visible to"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.ORGANISATION,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notes",
        verbose_name=_("author"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # The token of the form the note was written in: the same form posted twice
    # (a double click, a resent request) gives one note. NULL (not "") for notes
    # written without one, so that the unique constraint leaves them alone.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )

    personal_data = classify(
        free_text=["topic", "text"],
        not_personal=[
            "case_file",
            "contact_date",
            "channel",
            "visibility",
            "author",
            "organisation",
            "created_at",
            "updated_at",
            "version",
            "idempotency_key",
        ],
    )

    class Meta:
        ordering = ["-contact_date", "-pk"]
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")
        indexes = [
            models.Index(fields=["case_file", "contact_date"]),
            # Contacts for a period (activity figures) read the period only, and of
            # it the notes the user may read: one index per part of
            # ``access.note_visibility_q`` (shared; the organisation's; one's own
            # private notes), which the database combines (a bitmap OR).
            models.Index(
                fields=["contact_date"],
                condition=models.Q(visibility="shared"),
                name="note_shared_by_date",
            ),
            models.Index(
                fields=["organisation", "visibility", "contact_date"],
                name="note_org_by_date",
            ),
            models.Index(
                fields=["author", "visibility", "contact_date"],
                name="note_author_by_date",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                name="note_one_per_form_and_author",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_date} {self.topic}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit trail is append-only.")

    def delete(self):
        raise PermissionDenied("The audit trail is append-only.")


class AuditEvent(models.Model):
    """Append-only trail of who did what to which record, with the fields changed."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        TRANSITION = "transition", _("Status changed")
        VIEW = "view", _("Viewed")
        SHARE = "share", _("Shared")
        ACCEPT = "accept", _("Sharing accepted")
        DECLINE = "decline", _("Sharing declined")
        REVOKE = "revoke", _("Sharing revoked")
        EXPIRE = "expire", _("Sharing expired")
        CONSENT = "consent", _("Consent recorded")
        WITHDRAW = "withdraw", _("Consent withdrawn")
        OVERRIDE = "override", _("Consent check overridden")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Report downloaded")
        DELETE = "delete", _("Deleted")
        ERASE = "erase", _("Erased on request (anonymised)")
        RETENTION = "retention", _("Anonymised at the end of retention")
        HOLD = "hold", _("Legal hold set")
        RELEASE = "release", _("Legal hold lifted")
        MERGE = "merge", _("Merged")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("record number"))
    object_version = models.PositiveIntegerField(_("version"), null=True)
    case_file = models.ForeignKey(
        CaseFile,
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        verbose_name=_("case file"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    # ``changes`` names the fields changed and holds no personal value
    # (``audit.audit_diff``); the address a staff member acted from is theirs.
    personal_data = classify(
        identity=["ip_address"],
        not_personal=[
            "at",
            "actor",
            "organisation",
            "action",
            "object_type",
            "object_id",
            "object_version",
            "case_file",
            "changes",
        ],
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id", "object_version"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit trail is append-only.")
