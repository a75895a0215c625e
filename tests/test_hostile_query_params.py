"""Odd input never gives a server error (the class of issue 7's findings: dates at the
ends of the calendar, 20-digit ids, a 60,000-character search).

Every page reached by GET is taken from the URL configuration (every URL without
path arguments, plus a few that show one object); for each, hypothesis sends random
and hostile values to every query parameter the page's filter or form knows, plus
the usual suspects (``page``, ``sort``, ``q``, ``year``…), as an advisor, a partner,
a project lead and an administrator. No answer may be a 5xx. Bounded: 25 examples a
page, derandomised, so that it runs in well under a minute and the same way in CI.
"""

import datetime
import re
import traceback

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_filters import FilterSet
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import (
    CaseFileFactory,
    CohortFactory,
    SessionFactory,
    UserFactory,
    WalkInFactory,
)
from tests.factories import reference as ref

SKIPPED_PREFIXES = ("admin/", "i18n/")
# Pages that show one object: (url name, the fixture object it shows).
OBJECT_PAGES = {
    "case_detail": "case",
    "case_export": "case",
    "programmes:programme_detail": "programme",
    "programmes:cohort_detail": "cohort",
    "programmes:cohort_enrol": "cohort",
    "programmes:session_register": "session",
    "programmes:session_pdf": "session",
    "programmes:walk_in_convert": "walk_in",
    "programmes:case_enrol": "case",
}
# Exports filtered as a page is: they know that page's parameters.
SAME_FILTER_AS = {"case_list_export": "case_list"}
ALWAYS = [
    "page",
    "sort",
    "o",
    "year",
    "month",
    "week",
    "date",
    "day",
    "view",
    "q",
    "start",
    "end",
    "blank",
    "existing",
    "person",
    "walk_in",
    "next",
]
ROLES = ["advisor", "partner", "lead", "admin"]

HOSTILE = [
    "",
    "0",
    "-1",
    "-99999999999999999999",
    "99999999999999999999",
    "12345678901234567890",
    str(2**63),
    str(2**64 + 1),
    "1e400",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2024-02-30",
    "x" * 100_000,
    "é" * 60_000,
    "\x00",
    "a\x00b",
    "\x01\x02\x1f\x7f",
    "\r\n\t",
    "' OR 1=1 --",
    '"; DROP TABLE youthtrack_casefile; --',
    "%_%",
    "[a-z]*",
    "🎉👩🏽‍💻",
    "\u202eevil",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    "-name",
    "--",
    "../../etc/passwd",
]
# Sent to every parameter of every page, alone and all at once (explicit examples);
# hypothesis draws from HOSTILE and random values besides.
CORE = [
    "99999999999999999999",
    "-99999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "x" * 100_000,
    "a\x00b",
    "\x01\r\n",
    "' OR 1=1 --",
    "%_%🎉",
    "1e400",
    "-1",
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates(min_value=datetime.date.min, max_value=datetime.date.max).map(
        datetime.date.isoformat
    ),
    st.text(max_size=40),
)


def url_names(patterns=None, namespace="", prefix="") -> list[str]:
    """The names of the URLs without path arguments, from the URL configuration."""
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else ""
            names += url_names(pattern.url_patterns, inner or namespace, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if not pattern.pattern.converters:
                names.append(namespace + pattern.name)
    return names


PAGES = sorted(set(url_names())) + sorted(OBJECT_PAGES)


def test_the_pages_come_from_the_url_configuration():
    assert {"case_list", "audit_log", "programmes:calendar"} <= set(PAGES)
    assert "programmes:contacts" in PAGES and "case_list_export" in PAGES


@pytest.fixture
def world(db):
    advisor = UserFactory(username="hostile-advisor")
    cdm = advisor.organisation
    lead = UserFactory(username="hostile-lead", lead=True, organisation=cdm)
    uppercut = ref.programme("uppercut")
    case = CaseFileFactory(active=True, advisor=advisor, programme=uppercut)
    cohort = CohortFactory(programme=uppercut, advisors=[advisor], created_by=lead)
    session = SessionFactory(cohort=cohort)
    return {
        "users": {
            "advisor": advisor,
            "lead": lead,
            "partner": UserFactory(username="hostile-partner", partner=True),
            "admin": UserFactory(username="hostile-admin", admin=True),
        },
        "case": case,
        "programme": uppercut,
        "cohort": cohort,
        "session": session,
        "walk_in": WalkInFactory(session=session),
    }


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    if user.role in getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", []):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def page_url(name: str, world) -> str:
    if name in OBJECT_PAGES:
        return reverse(name, args=[world[OBJECT_PAGES[name]].pk])
    return reverse(name)


def known_parameters(response) -> set[str]:
    """The names the page reads from its query: the fields of its filters and of
    its search forms (``<form method="get">``)."""
    names: set[str] = set()
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, FilterSet):
                names |= {value.form.add_prefix(name) for name in value.form.fields}
    if response.get("Content-Type", "").startswith("text/html"):
        page = response.content.decode()
        for form in re.findall(
            r"<form[^>]*method=\"get\"[^>]*>(.*?)</form>", page, re.DOTALL | re.I
        ):
            names |= set(re.findall(r'\sname="([^"]+)"', form))
    return names


def assert_no_server_error(client, url, query) -> None:
    response = client.get(url, query)
    if response.status_code >= 500:
        detail = ""
        if getattr(response, "exc_info", None):
            detail = "".join(traceback.format_exception(*response.exc_info))[-3000:]
        shown = {key: [v[:80] for v in values] for key, values in query.items()}
        raise AssertionError(f"GET {url} {shown} → {response.status_code}\n{detail}")


def explicit_queries(form_parameters: set[str], parameters: set[str]):
    """Every core value in every parameter at once; and in each parameter of the
    page's forms alone (one invalid field would otherwise hide the others: a filter
    that does not validate runs no query)."""
    for value in CORE:
        yield {name: [value] for name in sorted(parameters)}
    for name in sorted(form_parameters):
        for value in CORE:
            yield {name: [value]}


@pytest.mark.parametrize("name", PAGES)
def test_hostile_query_parameters_never_give_a_server_error(name, world):
    url = page_url(name, world)
    clients = {role: signed_in(user) for role, user in world["users"].items()}
    form_parameters: set[str] = set()
    answered = []
    for role, client in clients.items():
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        form_parameters |= known_parameters(response)
        if response.status_code == 200:
            answered.append(role)
    if name in SAME_FILTER_AS:  # an export answers a file: no form in it
        response = clients["advisor"].get(page_url(SAME_FILTER_AS[name], world))
        form_parameters |= known_parameters(response)
    parameters = form_parameters | set(ALWAYS)
    # The explicit examples as the first role that sees the page.
    main_role = answered[0] if answered else "advisor"
    queries = st.dictionaries(
        st.sampled_from(sorted(parameters)),
        st.lists(VALUES, min_size=1, max_size=2),
        min_size=1,
        max_size=3,
    )

    def check(role, query):
        assert_no_server_error(clients[role], url, query)

    for query in explicit_queries(form_parameters, parameters):
        check = example(role=main_role, query=query)(check)
    check = hypothesis_settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(given(role=st.sampled_from(ROLES), query=queries)(check))
    check()
