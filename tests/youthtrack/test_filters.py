"""Finding a case file in the list: by name (accents and case ignored) or number, by
each filter, sorted, a page at a time; never one the user may not see."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from tests.factories import CaseFileFactory, reference
from tests.factories.helpers import years_ago
from youthtrack import services
from youthtrack.filters import AGE_BANDS, birth_date_range
from youthtrack.models import CaseFile, Commune, Gender, age_on
from youthtrack.pagination import BoundedPaginator

from .helpers import field_errors, page_text

Status = CaseFile.Status


def listed(browser, **params) -> list[CaseFile]:
    response = browser.get(reverse("case_list"), params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


@pytest.fixture
def browser(client_as):
    """The advisor's browser, in English."""
    return client_as("advisor")


@pytest.fixture
def cases(advisor, colleague, other_advisor, today) -> dict[str, CaseFile]:
    """Four CDM case files that differ in every filtered attribute, and one of
    Actiris that the advisor must never find."""

    def make(first_name, last_name, *, programme, commune, gender, days_ago, age, **kw):
        return CaseFileFactory(
            young_person__first_name=first_name,
            young_person__last_name=last_name,
            young_person__commune=Commune.objects.get(code=commune),
            young_person__gender=Gender.objects.get(code=gender),
            young_person__age=age,
            programme=reference.programme(programme),
            entry_date=today - datetime.timedelta(days=days_ago),
            **{"advisor": advisor, **kw},
        )

    return {
        "lea": make(
            "Léa",
            "Dubois",
            status=Status.ACTIVE,
            programme="touchngo",
            commune="21004",
            gender="female",
            days_ago=100,
            age=20,
            next_follow_up_on=today + datetime.timedelta(days=2),
        ),
        "noemie": make(
            "Noémie",
            "Lambert",
            status=Status.FOLLOW_UP,
            programme="youth-cdm",
            commune="21015",
            gender="non_binary",
            days_ago=300,
            age=26,
            advisor=colleague,
            next_follow_up_on=today + datetime.timedelta(days=9),
        ),
        "jerome": make(
            "Jérôme",
            "Dupont",
            status=Status.CLOSED,
            programme="uppercut",
            commune="21001",
            gender="male",
            days_ago=500,
            age=28,
        ),
        "mehdi": make(
            "Mehdi",
            "El Amrani",
            status=Status.INTAKE,
            programme="youth-cdm",
            commune="outside",
            gender="male",
            days_ago=10,
            age=17,
            next_follow_up_on=today - datetime.timedelta(days=1),
        ),
        "actiris": make(
            "Lina",
            "Dubois",
            status=Status.ACTIVE,
            programme="touchngo",
            commune="21004",
            gender="female",
            days_ago=100,
            age=20,
            owner_organisation=other_advisor.organisation,
            advisor=other_advisor,
        ),
    }


def names(found: list[CaseFile]) -> set[str]:
    return {case.young_person.first_name for case in found}


# --- search ---


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Léa Dubois", {"Léa"}),
        ("lea dubois", {"Léa"}),
        ("DUBOIS", {"Léa"}),
        ("dubois léa", {"Léa"}),  # either order
        ("noemie", {"Noémie"}),
        ("NOÉMIE LAMBERT", {"Noémie"}),
        ("jerome", {"Jérôme"}),
        ("el-amrani", {"Mehdi"}),
        ("El Amrani", {"Mehdi"}),
        ("dup", {"Jérôme"}),  # the start of a name
        ("du", {"Léa", "Jérôme"}),
        ("  lambert  ", {"Noémie"}),
        ("Dubois Noémie", set()),  # every word must match
        ("Lina", set()),  # another organisation's
    ],
)
def test_search_by_name_ignores_accents_case_and_word_order(
    browser, cases, query, expected
):
    assert names(listed(browser, q=query)) == expected


def test_search_by_file_number(browser, cases):
    lea = cases["lea"]
    assert listed(browser, q=str(lea.pk)) == [lea]
    assert listed(browser, q=f"#{lea.pk}") == [lea]
    assert listed(browser, q=f" #{lea.pk} ") == [lea]


def test_search_by_the_number_of_a_file_out_of_reach_finds_nothing(browser, cases):
    assert listed(browser, q=str(cases["actiris"].pk)) == []
    assert listed(browser, q="999999") == []


def test_an_empty_search_lists_everything_visible(browser, cases):
    visible = {cases[key] for key in ("lea", "noemie", "jerome", "mehdi")}
    assert set(listed(browser, q="")) == visible
    assert set(listed(browser, q="#")) == visible
    assert set(listed(browser)) == visible


# --- filters ---


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Status.ACTIVE], {"Léa"}),
        ([Status.FOLLOW_UP], {"Noémie"}),
        ([Status.CLOSED], {"Jérôme"}),
        ([Status.INTAKE], {"Mehdi"}),
        ([Status.INTAKE, Status.ACTIVE, Status.FOLLOW_UP], {"Léa", "Noémie", "Mehdi"}),
    ],
)
def test_filter_by_status(browser, cases, statuses, expected):
    assert names(listed(browser, status=statuses)) == expected


@pytest.mark.parametrize(
    ("programme", "expected"),
    [
        ("touchngo", {"Léa"}),
        ("youth-cdm", {"Noémie", "Mehdi"}),
        ("uppercut", {"Jérôme"}),
    ],
)
def test_filter_by_programme(browser, cases, programme, expected):
    pk = reference.programme(programme).pk
    assert names(listed(browser, programme=pk)) == expected


def test_the_programme_and_advisor_chosen_stay_chosen_in_the_form(
    browser, cases, colleague
):
    uppercut = reference.programme("uppercut")
    response = browser.get(
        reverse("case_list"), {"programme": uppercut.pk, "advisor": colleague.pk}
    )
    html = response.content.decode()
    assert f'<option value="{uppercut.pk}" selected>{uppercut.name}</option>' in html
    touchngo = reference.programme("touchngo")  # Touch'N'Go, escaped
    assert f'<option value="{touchngo.pk}">{escape(touchngo.name)}</option>' in html
    assert f'<option value="{colleague.pk}" selected>' in html
    # Nothing chosen: "All".
    html = browser.get(reverse("case_list")).content.decode()
    assert '<select name="programme" id="id_programme">' in html
    assert '<option value="" selected>All</option>' in html


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_choices_are_named_in_the_users_language(
    browser, cases, advisor, cdm, language
):
    """The options are read as rows, not objects (``RowChoiceIterator``): they still
    read as the objects would print, in the user's language, and an advisor without
    a name shows their username."""
    from tests.factories import UserFactory

    advisor.language = language
    advisor.save(update_fields=["language"])
    browser.cookies["django_language"] = language
    UserFactory(username="no.name", first_name="", last_name="", organisation=cdm)
    html = browser.get(reverse("case_list")).content.decode()
    uppercut = reference.programme("uppercut")
    female = Gender.objects.get(code="female")
    name = {"fr": uppercut.name_fr, "nl": uppercut.name_nl, "en": uppercut.name_en}
    gender = {"fr": female.name_fr, "nl": female.name_nl, "en": female.name_en}
    assert name["fr"] != name["nl"] or gender["fr"] != gender["nl"]
    assert f'<option value="{uppercut.pk}">{escape(name[language])}</option>' in html
    assert f'<option value="female">{escape(gender[language])}</option>' in html
    assert f'<option value="{advisor.pk}">Sarah Janssens</option>' in html
    assert ">no.name</option>" in html


def test_filter_by_advisor(browser, cases, advisor, colleague):
    assert names(listed(browser, advisor=colleague.pk)) == {"Noémie"}
    assert names(listed(browser, advisor=advisor.pk)) == {"Léa", "Jérôme", "Mehdi"}


def test_an_advisor_of_another_organisation_is_no_choice(browser, cases, other_advisor):
    response = browser.get(reverse("case_list"), {"advisor": other_advisor.pk})
    assert list(response.context["page"].object_list) == []
    assert field_errors(response, "id_advisor")
    assert "Lina" not in page_text(response)
    assert "No case file matches these criteria." in page_text(response)


@pytest.mark.parametrize(
    ("commune", "expected"),
    [
        ("21004", {"Léa"}),
        ("21015", {"Noémie"}),
        ("21001", {"Jérôme"}),
        ("outside", {"Mehdi"}),
        ("21009", set()),
    ],
)
def test_filter_by_commune(browser, cases, commune, expected):
    assert names(listed(browser, commune=commune)) == expected


@pytest.mark.parametrize(
    ("gender", "expected"),
    [
        ("female", {"Léa"}),
        ("male", {"Jérôme", "Mehdi"}),
        ("non_binary", {"Noémie"}),
        ("not_stated", set()),
    ],
)
def test_filter_by_gender(browser, cases, gender, expected):
    assert names(listed(browser, gender=gender)) == expected


def test_filter_by_entry_dates_includes_both_ends(browser, cases, today):
    def day(days_ago):
        return (today - datetime.timedelta(days=days_ago)).isoformat()

    assert names(listed(browser, entry_from=day(300))) == {"Léa", "Noémie", "Mehdi"}
    assert names(listed(browser, entry_to=day(300))) == {"Noémie", "Jérôme"}
    assert names(listed(browser, entry_from=day(300), entry_to=day(100))) == {
        "Léa",
        "Noémie",
    }
    assert names(listed(browser, entry_from=day(99), entry_to=day(11))) == set()


def test_filters_combine(browser, cases):
    found = listed(
        browser,
        status=[Status.FOLLOW_UP, Status.INTAKE],
        programme=reference.programme("youth-cdm").pk,
        gender="male",
    )
    assert names(found) == {"Mehdi"}


def test_an_unreadable_filter_lists_nothing_and_says_why(browser, cases):
    response = browser.get(reverse("case_list"), {"entry_from": "31/31/2024"})
    assert list(response.context["page"].object_list) == []
    assert field_errors(response, "id_entry_from") == ["Enter a valid date."]


# --- age bands ---


@pytest.fixture
def ages(advisor, today) -> dict[str, CaseFile]:
    """People on either side of each band's limits, by their birthday."""

    def born(birth_date):
        return CaseFileFactory(
            advisor=advisor,
            programme=reference.programme("youth-cdm"),
            young_person__birth_date=birth_date,
        )

    tomorrow = datetime.timedelta(days=1)
    return {
        "17, 18 tomorrow": born(years_ago(18) + tomorrow),
        "18 today": born(years_ago(18)),
        "24, 25 tomorrow": born(years_ago(25) + tomorrow),
        "25 today": born(years_ago(25)),
        "29, 30 tomorrow": born(years_ago(30) + tomorrow),
        "30 today": born(years_ago(30)),
    }


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("15-17", {"17, 18 tomorrow"}),
        ("18-24", {"18 today", "24, 25 tomorrow"}),
        ("25-29", {"25 today", "29, 30 tomorrow"}),
        ("30+", {"30 today"}),
    ],
)
def test_filter_by_age_band_today(browser, ages, band, expected):
    found = set(listed(browser, age_band=band))
    assert found == {ages[key] for key in expected}


@pytest.mark.parametrize("band", list(AGE_BANDS))
@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2024, 2, 29),
        datetime.date(2025, 2, 28),
        datetime.date(2025, 3, 1),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 1),
    ],
)
def test_an_age_band_holds_exactly_the_birth_dates_of_its_ages(band, today):
    low, high = AGE_BANDS[band]
    earliest, latest = birth_date_range(low, high, today)
    # Every day from a year before the oldest possible birth date to a year after the
    # youngest: inside the range if and only if the age today is in the band.
    start = earliest - datetime.timedelta(days=400)
    for offset in range((latest - start).days + 400):
        birth = start + datetime.timedelta(days=offset)
        in_range = earliest <= birth <= latest
        assert in_range == (low <= age_on(birth, today) <= high), (birth, today)


# --- sorting ---


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["lea", "jerome", "mehdi", "noemie"]),  # Dubois, Dupont, El A., L.
        ("-name", ["noemie", "mehdi", "jerome", "lea"]),
        ("entry", ["jerome", "noemie", "lea", "mehdi"]),  # oldest entry first
        ("-entry", ["mehdi", "lea", "noemie", "jerome"]),
    ],
)
def test_sorting(browser, cases, sort, expected):
    assert listed(browser, sort=sort) == [cases[key] for key in expected]


def test_sorting_by_name_ignores_accents_and_case(browser, advisor):
    for last_name in ("Zeller", "Éloi", "van Damme", "Fontaine", "dubois"):
        CaseFileFactory(advisor=advisor, young_person__last_name=last_name)
    found = [case.young_person.last_name for case in listed(browser, sort="name")]
    assert found == ["dubois", "Éloi", "Fontaine", "van Damme", "Zeller"]


def test_sorting_by_next_follow_up_puts_files_without_one_last(browser, cases):
    assert listed(browser, sort="follow_up") == [
        cases["mehdi"],
        cases["lea"],
        cases["noemie"],
        cases["jerome"],  # closed: no follow-up
    ]


def test_sorting_by_status_groups_the_files_of_each_status(browser, cases, advisor):
    CaseFileFactory.create_batch(2, advisor=advisor, active=True)
    CaseFileFactory(advisor=advisor)  # intake
    statuses = [case.status for case in listed(browser, sort="status")]
    groups = [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s]
    assert len(groups) == len(set(statuses)) == 4


def test_the_last_changed_file_comes_first_by_default(browser, cases, colleague, today):
    noemie = cases["noemie"]
    services.case_file_update(
        case_file=noemie,
        acting_user=colleague,
        data={"next_follow_up_on": today + datetime.timedelta(days=20)},
        expected_version=noemie.version,
    )
    found = listed(browser)
    assert found[0] == noemie
    assert listed(browser, sort="-updated")[0] == noemie


def test_an_unknown_sort_is_refused(browser, cases):
    response = browser.get(reverse("case_list"), {"sort": "young_person__birth_date"})
    assert list(response.context["page"].object_list) == []
    assert field_errors(response, "id_sort")


# --- pagination ---


@pytest.fixture
def twelve(advisor, settings) -> list[CaseFile]:
    settings.YOUTHTRACK_PAGE_SIZE = 5
    return CaseFileFactory.create_batch(12, advisor=advisor, active=True)


def test_pages_hold_every_file_once(browser, twelve):
    pages = [listed(browser, page=number) for number in (1, 2, 3)]
    assert [len(page) for page in pages] == [5, 5, 2]
    seen = [case for page in pages for case in page]
    assert len(set(seen)) == 12
    assert set(seen) == set(twelve)


def test_the_next_page_keeps_the_filters(browser, twelve, advisor):
    response = browser.get(
        reverse("case_list"), {"status": "active", "advisor": advisor.pk, "page": 2}
    )
    text = page_text(response)
    assert "Page 2 of 3" in text
    for link in ("page=1", "page=3"):
        assert f"status=active&advisor={advisor.pk}&{link}" in text


def test_pages_of_a_sorted_list_hold_every_file_once(browser, advisor, settings, today):
    settings.YOUTHTRACK_PAGE_SIZE = 5
    peeters = CaseFileFactory.create_batch(
        40,
        advisor=advisor,
        active=True,
        young_person__last_name="Peeters",
        entry_date=today - datetime.timedelta(days=3),
    )
    for sort in ("name", "-name", "status", "entry"):
        seen = [
            case
            for page in range(1, 9)
            for case in listed(browser, sort=sort, page=page)
        ]
        assert len(seen) == 40, sort
        assert set(seen) == set(peeters), sort


@pytest.mark.parametrize(("page", "number"), [("99", 3), ("abc", 1)])
def test_a_page_out_of_range_shows_the_nearest_one(browser, twelve, page, number):
    response = browser.get(reverse("case_list"), {"page": page})
    assert response.context["page"].number == number


@pytest.fixture
def count_limit_of_ten(monkeypatch):
    """Lists count and page through their first 10 rows (1,000 in the application)."""
    monkeypatch.setattr(BoundedPaginator, "count_limit", 10)


def test_a_long_list_counts_up_to_a_bound_and_lists_its_first_rows(
    browser, twelve, count_limit_of_ten
):
    text = page_text(browser.get(reverse("case_list")))
    assert "More than 10 case files" in text
    assert "12 case files" not in text
    assert "Page 1 of 2" in text
    seen = [case for number in (1, 2) for case in listed(browser, page=number)]
    # The first ten files in the list's order (last change first), each once.
    assert seen == list(CaseFile.objects.order_by("-updated_at", "-pk")[:10])
    # The last page offers no next one and says how to find the others.
    last = browser.get(reverse("case_list"), {"page": 3})
    assert last.context["page"].number == 2
    assert "narrow the search to see the others" in page_text(last)
    assert 'rel="next"' not in last.content.decode()
    assert 'rel="prev"' in last.content.decode()


def test_a_short_list_is_counted_exactly(browser, twelve, count_limit_of_ten):
    text = page_text(browser.get(reverse("case_list"), {"q": f"#{twelve[0].pk}"}))
    assert "1 case file" in text
    assert "More than" not in text
    assert "narrow the search" not in text


def test_a_status_filter_adds_no_distinct(browser, twelve):
    with CaptureQueriesContext(connection) as captured:
        assert len(listed(browser, status=["active", "intake"])) == 5
    selects = [query["sql"] for query in captured.captured_queries]
    assert any('FROM "youthtrack_casefile"' in sql for sql in selects)
    assert not [sql for sql in selects if sql.startswith("SELECT DISTINCT")]


@pytest.fixture
def filters_cached(settings):
    from django.core.cache import cache

    settings.YOUTHTRACK_FILTER_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_the_unfiltered_lists_filters_are_reused_within_an_organisation_and_language(
    filters_cached, client_as, cases, advisor, colleague, other_advisor
):
    """Rendered once, the unfiltered list's filters serve the next requests of the
    same organisation in the same language; another organisation, another language
    or a filtered list gets its own."""
    from django.test import Client

    from tests.youthtrack.conftest import sign_in

    browser = client_as("advisor")
    with CaptureQueriesContext(connection) as first_queries:
        first = browser.get(reverse("case_list")).content.decode()
    with CaptureQueriesContext(connection) as reused:
        again = browser.get(reverse("case_list")).content.decode()
    assert f'<option value="{colleague.pk}">Karim El Idrissi</option>' in again
    assert again.count("<option") == first.count("<option")
    # The choices were not read again (the page's own query joins the programme).
    choices = 'SELECT "youthtrack_programme"."id" AS "pk"'
    assert not [q for q in reused if q["sql"].startswith(choices)]
    assert len(reused) < len(first_queries)
    # Another organisation: its own advisors, never the CDM's.
    other = Client()
    other.cookies["django_language"] = "en"
    sign_in(other, other_advisor)
    html = other.get(reverse("case_list")).content.decode()
    assert f'<option value="{other_advisor.pk}">' in html
    assert "Karim El Idrissi" not in html
    # Another language: its own labels.
    advisor.language = "nl"
    advisor.save(update_fields=["language"])
    browser.cookies["django_language"] = "nl"
    dutch = browser.get(reverse("case_list")).content.decode()
    uppercut = reference.programme("uppercut")
    assert f">{escape(uppercut.name_nl)}</option>" in dutch
    # Filtered: rendered with what was chosen.
    chosen = browser.get(reverse("case_list"), {"advisor": colleague.pk})
    assert f'<option value="{colleague.pk}" selected>' in chosen.content.decode()
