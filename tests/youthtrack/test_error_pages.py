"""What a user sees when something is refused, missing or broken: a page in their
language, in the application's frame, with a way back; never Django's technical pages
(a 404 in debug mode lists every URL pattern)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from .conftest import sign_in
from .helpers import page_text

NOT_FOUND = {
    "fr": ("Page introuvable", "Cette page n'existe pas, ou vous n'y avez pas accès."),
    "nl": (
        "Niet gevonden",
        "Deze pagina bestaat niet, of u hebt er geen toegang toe.",
    ),
}
TECHNICAL = ("URLconf", "Django tried these URL patterns", "cases/<int:pk>/", "DEBUG")


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_a_partner_opening_a_case_not_shared_gets_a_translated_not_found_page(
    client, partner, case_file, language
):
    client.cookies["django_language"] = language
    sign_in(client, partner)
    response = client.get(reverse("case_detail", args=[case_file.pk]))
    assert response.status_code == 404
    text = page_text(response)
    title, explanation = NOT_FOUND[language]
    assert f'<html lang="{language}">' in text
    assert f"<h1>{title}</h1>" in text and explanation in text
    assert f'href="{reverse("dashboard")}"' in text  # the way back
    assert "Vandersmissen" not in text
    for leak in TECHNICAL:
        assert leak not in text


@pytest.mark.parametrize(
    ("language", "title"), [("fr", "Action non autorisée"), ("nl", "Niet toegestaan")]
)
def test_a_refused_action_gets_a_translated_page(client, partner, language, title):
    client.cookies["django_language"] = language
    sign_in(client, partner)
    response = client.get(reverse("intake"))  # partners register nobody
    assert response.status_code == 403
    text = page_text(response)
    assert f"<h1>{title}</h1>" in text
    assert f'href="{reverse("dashboard")}"' in text


@pytest.mark.urls("tests.youthtrack.error_urls")
@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("fr", "Un problème est survenu de notre côté"),
        ("nl", "Er ging iets mis aan onze kant"),
    ],
)
def test_a_server_error_gets_a_translated_page_with_a_way_back(
    client, advisor, language, title
):
    client.raise_request_exception = False
    client.cookies["django_language"] = language
    sign_in(client, advisor)
    response = client.get("/fail/")
    assert response.status_code == 500
    text = page_text(response)
    assert f'<html lang="{language}">' in text
    assert f"<h1>{title}</h1>" in text and 'href="/"' in text
    assert "RuntimeError" not in text and "a bug" not in text


def test_the_server_error_page_needs_no_request_context_nor_database():
    """Django renders 500.html without context processors: the page may rely on no
    user, no request and no query (the database may be what failed; this test has
    no database access, so a query would fail it)."""
    request = RequestFactory().get("/")
    with translation.override("fr"):
        response = server_error(request)
    assert response.status_code == 500
    text = page_text(response)
    assert "Un problème est survenu de notre côté" in text
    assert "css/app.css" in text  # in the application's frame


def test_the_favicon_is_served(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # as bin/demo serves static files
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(response.streaming_content)
    login = client.get(reverse("login"))
    assert 'rel="icon" href="/static/favicon.svg"' in login.content.decode()


def test_the_demo_settings_serve_styles_and_translated_errors_with_debug_off():
    """``bin/demo`` runs the local settings with DEBUG off: the styles still come
    (WhiteNoise, no collectstatic), and an unknown address gets the translated page."""
    probe = """
import django
django.setup()
from django.conf import settings
from django.test import Client
assert not settings.DEBUG
client = Client(HTTP_HOST="127.0.0.1")
css = client.get("/static/css/app.css")
print(css.status_code, css["Content-Type"].split(";")[0])
page = client.get("/no-such-page/")
print(page.status_code, page.content.decode())
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "youthtrack.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    css, page = result.stdout.split("\n", 1)
    assert css == "200 text/css"
    assert page.startswith("404 ")
    assert "Page introuvable" in page
    for leak in TECHNICAL:
        assert leak not in page
    assert "No directory at" not in result.stderr
