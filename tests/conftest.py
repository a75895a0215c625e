"""Suite-wide fixtures: the reference data (fixtures/) is in the test database."""

import io

import pytest
from django.core.management import call_command
from pytest_django.fixtures import _get_databases_for_setup


def _load_reference_data() -> None:
    call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture(scope="session", autouse=True)
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Load the reference data once, right after the test database is created.

    pytest-django creates no test database when no collected test uses one (for
    example ``pytest tests/test_settings.py``): then nothing is loaded, or the
    reference data would be written into the developer's own database."""
    aliases, _serialized = _get_databases_for_setup(request.session.items)
    if not aliases:
        return
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests (``transaction=True``, ``transactional_db``, ``live_server``)
    end by emptying every table, reference data included: load it again before each.
    pytest-django runs them after all the other database tests."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _load_reference_data()


@pytest.fixture(autouse=True)
def _site_language_between_tests():
    """Each test starts in the site's language. A request through the test client
    activates the language of its user (LocaleMiddleware, the saved language at
    login) in this thread and leaves it active: without this, what a test computes
    outside a request depended on which test ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
