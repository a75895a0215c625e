"""Which fields hold personal data, and of what kind: declared once, on the models.

Every model of youthtrack, programmes and outcomes declares a ``personal_data``
class attribute (``classify(...)``) naming each of its fields: the personal ones by
category, the others as ``not_personal``. A field nobody classified fails
``tests/youthtrack/test_personal_data.py``, so a new field is classified when it is
added. The audit diff, the partners' view, exports, logs and anonymisation read the
classification from here (``personal_fields``, ``is_personal``, ``category_of``),
never from their own lists.

Categories:

- identity: who the person is (names, birth date, gender, nationality, identifiers);
- contact: how to reach them or where they live (phone, e-mail, commune);
- sensitive: the situation-at-entry answers the GDPR and the funders treat as
  special (disability, minority, foreign background, housing exclusion): shown to a
  partner only when the consent behind the share names them;
- free_text: what someone typed (notes, comments, reasons), which may hold anything.

``not_personal`` fields are the facts that stay meaningful without the person (dates
of the path, statuses, the situation at entry funders count, who recorded it) and the
records about the service itself. A mixin (an abstract model) may declare its own
fields: the classifications of a model's bases are merged.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

# The apps whose every model must classify its fields.
CLASSIFIED_APPS = ("youthtrack", "programmes", "outcomes")


class Category(enum.StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    SENSITIVE = "sensitive"
    FREE_TEXT = "free_text"

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    Category.IDENTITY: _("identity"),
    Category.CONTACT: _("contact details"),
    Category.SENSITIVE: _("sensitive data"),
    Category.FREE_TEXT: _("free text"),
}


@dataclass(frozen=True)
class Classification:
    """A model's declaration: its personal fields by category, and the others."""

    personal: dict[str, Category] = field(default_factory=dict)
    not_personal: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        both = set(self.personal) & self.not_personal
        if both:
            raise ValueError(
                f"fields declared both personal and not personal: {sorted(both)}"
            )

    def merged(self, other: Classification) -> Classification:
        """This classification completed by ``other`` (a base's): ours wins."""
        personal = {
            name: category
            for name, category in other.personal.items()
            if name not in self.not_personal
        } | self.personal
        not_personal = (other.not_personal - set(self.personal)) | self.not_personal
        return Classification(personal=personal, not_personal=not_personal)


def classify(
    *,
    identity: Iterable[str] = (),
    contact: Iterable[str] = (),
    sensitive: Iterable[str] = (),
    free_text: Iterable[str] = (),
    not_personal: Iterable[str] = (),
) -> Classification:
    personal: dict[str, Category] = {}
    for category, names in (
        (Category.IDENTITY, identity),
        (Category.CONTACT, contact),
        (Category.SENSITIVE, sensitive),
        (Category.FREE_TEXT, free_text),
    ):
        for name in names:
            if name in personal:
                raise ValueError(f"field {name!r} is in two categories")
            personal[name] = category
    return Classification(personal=personal, not_personal=frozenset(not_personal))


def classification(model: type[models.Model] | models.Model) -> Classification:
    """The model's declaration merged with its bases' (a mixin's fields)."""
    cls = model if isinstance(model, type) else type(model)
    result = Classification()
    for klass in cls.__mro__:
        declared = vars(klass).get("personal_data")
        if isinstance(declared, Classification):
            result = result.merged(declared)
    return result


def personal_fields(
    model: type[models.Model] | models.Model,
) -> dict[str, Category]:
    """The model's personal fields and their categories."""
    return dict(classification(model).personal)


def is_personal(model: type[models.Model] | models.Model, field_name: str) -> bool:
    return field_name in classification(model).personal


def category_of(
    model: type[models.Model] | models.Model, field_name: str
) -> Category | None:
    return classification(model).personal.get(field_name)


def fields_of_category(
    model: type[models.Model] | models.Model, *categories: Category
) -> frozenset[str]:
    return frozenset(
        name
        for name, category in classification(model).personal.items()
        if category in categories
    )


def declared_fields(model: type[models.Model]) -> list[str]:
    """The fields a model must classify: its columns and many-to-many fields, not
    the ones Django adds by itself (the automatic primary key, reverse relations)."""
    return [
        f.name
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many) and not f.auto_created
    ]


def unclassified_fields(model: type[models.Model]) -> list[str]:
    known = classification(model)
    return [
        name
        for name in declared_fields(model)
        if name not in known.personal and name not in known.not_personal
    ]


def unknown_names(model: type[models.Model]) -> list[str]:
    """Names classified that are no field of the model (a typo, a removed field)."""
    known = classification(model)
    fields = set(declared_fields(model))
    return sorted((set(known.personal) | known.not_personal) - fields)


def classified_models() -> Iterator[type[models.Model]]:
    """Every concrete model of the classified apps."""
    for label in CLASSIFIED_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model._meta.abstract and not model._meta.proxy:
                yield model


def classification_problems(
    models_to_check: Iterable[type[models.Model]],
) -> list[str]:
    """One line per field left unclassified or classified but unknown."""
    problems = []
    for model in models_to_check:
        label = model._meta.label
        problems += [
            f"{label}.{name}: not classified (add it to {model.__name__}"
            ".personal_data, as personal with its category or as not_personal)"
            for name in unclassified_fields(model)
        ]
        problems += [
            f"{label}.{name}: classified but no such field"
            for name in unknown_names(model)
        ]
    return problems


# --- What a partner reads of a case file shared with their organisation ---

# The young person: who they are and how to reach them.
_PARTNER_PERSON = frozenset(
    {
        "first_name",
        "last_name",
        "birth_date",
        "gender",
        "commune",
        "phone",
        "email",
        "speaks_french",
        "speaks_dutch",
        "other_languages",
        "citizenship",
    }
)
# The path and the situation at entry, and when the young person is next seen (a
# partner following them too plans around it). Never who referred them (a third
# party's name, as typed) nor the owner's own bookkeeping (last contact).
_PARTNER_CASE_FILE = frozenset(
    {
        "programme",
        "operation",
        "owner_organisation",
        "advisor",
        "status",
        "entry_date",
        "exit_date",
        "exit_reason",
        "next_follow_up_on",
        "employment_status",
        "unemployed_since",
        "education",
        "highest_diploma",
        "registered_at_actiris",
        "first_visit",
        "referral",
    }
)
# The sensitive answers at entry a scope may show: each only when the consent behind
# the sharing names it (``Consent.sensitive_data``); a sharing without consent (an
# override) shows none.
_PARTNER_SENSITIVE = frozenset(
    {"disability", "foreign_background", "minority", "homeless"}
)

# For each sharing scope (``Share.Scope``), the fields it shows by model. The scopes
# differ in what the partner may do (add notes, record outcomes), not in what they
# read: each still lists its own, so that one can show less.
PARTNER_SCOPE_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    "view": {
        "youthtrack.youngperson": _PARTNER_PERSON,
        "youthtrack.casefile": _PARTNER_CASE_FILE | _PARTNER_SENSITIVE,
    },
    "notes": {
        "youthtrack.youngperson": _PARTNER_PERSON,
        "youthtrack.casefile": _PARTNER_CASE_FILE | _PARTNER_SENSITIVE,
    },
    "outcomes": {
        "youthtrack.youngperson": _PARTNER_PERSON,
        "youthtrack.casefile": _PARTNER_CASE_FILE | _PARTNER_SENSITIVE,
    },
}


def partner_fields(
    scope: str, model: type[models.Model], sensitive_consented: Iterable[str] = ()
) -> frozenset[str]:
    """The fields of ``model`` a partner reads under ``scope``: the scope's, less the
    sensitive ones the consent does not name."""
    listed = PARTNER_SCOPE_FIELDS.get(scope, {}).get(model._meta.label_lower)
    if not listed:
        return frozenset()
    sensitive = fields_of_category(model, Category.SENSITIVE)
    consented = frozenset(sensitive_consented)
    return frozenset(
        name for name in listed if name not in sensitive or name in consented
    )
