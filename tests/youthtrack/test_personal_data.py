# ruff: noqa: DJ008 (throwaway models of the check are never shown)
"""Personal data is classified once, on the models: every field of every model of the
three apps is either personal (with its category) or declared not personal, and a new
field nobody classified fails here."""

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from youthtrack.personal_data import (
    CLASSIFIED_APPS,
    Category,
    category_of,
    classification_problems,
    classified_models,
    classify,
    declared_fields,
    is_personal,
    personal_fields,
    unclassified_fields,
)


def test_every_field_of_every_model_is_classified():
    assert classification_problems(classified_models()) == []


def test_the_check_covers_every_concrete_model_of_the_three_apps():
    checked = set(classified_models())
    for label in CLASSIFIED_APPS:
        for model in apps.get_app_config(label).get_models():
            assert model in checked, model
    # Spot the big ones, in each app.
    names = {model._meta.label for model in checked}
    assert {
        "youthtrack.YoungPerson",
        "youthtrack.CaseFile",
        "youthtrack.Note",
        "programmes.WalkIn",
        "outcomes.Outcome",
    } <= names


@isolate_apps("youthtrack")
def test_a_planted_unclassified_field_fails_the_check():
    class PlantedPerson(models.Model):
        first_name = models.CharField(max_length=100)
        birth_date = models.DateField()
        # Added later by someone who forgot the classification:
        nickname = models.CharField(max_length=100)

        personal_data = classify(identity=["first_name", "birth_date"])

        class Meta:
            app_label = "youthtrack"

    problems = classification_problems([PlantedPerson])

    assert unclassified_fields(PlantedPerson) == ["nickname"]
    assert len(problems) == 1
    assert problems[0].startswith("youthtrack.PlantedPerson.nickname: not classified")


@isolate_apps("youthtrack")
def test_a_model_without_a_declaration_fails_on_each_field():
    class Undeclared(models.Model):
        label = models.CharField(max_length=10)
        comment = models.TextField()

        class Meta:
            app_label = "youthtrack"

    assert unclassified_fields(Undeclared) == ["label", "comment"]
    assert len(classification_problems([Undeclared])) == 2


@isolate_apps("youthtrack")
def test_a_classified_name_that_is_no_field_fails_the_check():
    class Renamed(models.Model):
        given_name = models.CharField(max_length=100)

        personal_data = classify(identity=["given_name", "first_name"])

        class Meta:
            app_label = "youthtrack"

    assert classification_problems([Renamed]) == [
        "youthtrack.Renamed.first_name: classified but no such field"
    ]


@isolate_apps("youthtrack")
def test_a_mixin_declares_its_own_fields_once():
    class Named(models.Model):
        name = models.CharField(max_length=100)

        personal_data = classify(not_personal=["name"])

        class Meta:
            abstract = True
            app_label = "youthtrack"

    class Place(Named):
        contact_phone = models.CharField(max_length=30)

        personal_data = classify(contact=["contact_phone"])

        class Meta:
            app_label = "youthtrack"

    assert unclassified_fields(Place) == []
    assert personal_fields(Place) == {"contact_phone": Category.CONTACT}
    assert not is_personal(Place, "name")


def test_a_field_cannot_be_both_personal_and_not():
    with pytest.raises(ValueError, match="both personal and not personal"):
        classify(identity=["first_name"], not_personal=["first_name"])
    with pytest.raises(ValueError, match="two categories"):
        classify(identity=["email"], contact=["email"])


def test_the_categories_of_the_young_persons_data():
    from programmes.models import WalkIn
    from youthtrack.models import CaseFile, Consent, Note, User, YoungPerson

    person = personal_fields(YoungPerson)
    for name in ("first_name", "last_name", "birth_date", "name_key"):
        assert person[name] is Category.IDENTITY
    for name in ("phone", "email"):
        assert person[name] is Category.CONTACT
    for name in ("disability", "minority", "foreign_background", "homeless"):
        assert category_of(CaseFile, name) is Category.SENSITIVE
    assert category_of(Note, "text") is Category.FREE_TEXT
    assert category_of(Consent, "guardian_name") is Category.IDENTITY
    assert category_of(WalkIn, "first_name") is Category.IDENTITY
    assert category_of(User, "email") is Category.CONTACT
    # The facts a funder counts stay out of it.
    assert not is_personal(CaseFile, "entry_date")
    assert not is_personal(CaseFile, "employment_status")


def test_declared_fields_leave_out_what_django_adds():
    from youthtrack.models import Note

    fields = declared_fields(Note)
    assert "id" not in fields  # the automatic primary key
    assert "text" in fields
    assert "case_file" in fields
