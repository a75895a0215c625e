"""Pages that show several apps' parts are composed of the panels each app registers
(``youthtrack.panels``): youthtrack renders them in order without importing the apps."""

import copy
from pathlib import Path

import pytest
from django.urls import reverse

from youthtrack import panels

TEMPLATE_DIR = Path(__file__).parent / "panel_templates"


@pytest.fixture
def panel_templates(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATE_DIR]
    settings.TEMPLATES = templates


@pytest.fixture
def case_panel(panel_templates):
    keys = []

    def register(key, order, label, shown=True):
        def context(*, request, case_file):
            return {"label": label} if shown else None

        panels.register_case_panel(
            key, template="test_panel.html", context_function=context, order=order
        )
        keys.append(key)

    yield register
    for key in keys:
        panels.unregister_case_panel(key)


def test_programmes_registers_the_enrolments_panel_of_the_case_page(
    client_as, case_file, english
):
    assert "programmes.enrolments" in {
        panel.key for panel in panels._ordered(panels._case_panels)
    }
    page = client_as("advisor").get(reverse("case_detail", args=[case_file.pk]))
    assert 'id="enrolments-title"' in page.content.decode()


def test_case_panels_are_shown_in_their_order_and_only_when_they_answer(
    client_as, case_file, case_panel
):
    case_panel("test.late", 900, "Late panel")
    case_panel("test.early", 1, "Early panel")
    case_panel("test.silent", 500, "Silent panel", shown=False)
    page = client_as("advisor").get(reverse("case_detail", args=[case_file.pk]))
    text = page.content.decode()
    assert f"Early panel for #{case_file.pk}" in text
    assert "Silent panel" not in text
    early, enrolments, late = (
        text.index("Early panel"),
        text.index('id="enrolments-title"'),
        text.index("Late panel"),
    )
    assert early < enrolments < late


def test_a_panel_key_is_registered_once(case_panel):
    case_panel("test.once", 1, "Once")
    with pytest.raises(ValueError, match="test.once"):
        panels.register_case_panel(
            "test.once",
            template="other.html",
            context_function=lambda **kw: {},
            order=2,
        )


def test_dashboard_panels_are_shown(client_as, advisor, panel_templates):
    panels.register_dashboard_panel(
        "test.dashboard",
        template="test_panel.html",
        context_function=lambda *, request: {
            "label": "Dashboard panel",
            "user_name": f" ({request.user.username})",
        },
    )
    try:
        page = client_as("advisor").get(reverse("dashboard"))
    finally:
        panels.unregister_dashboard_panel("test.dashboard")
    assert f"Dashboard panel for # ({advisor.username})" in page.content.decode()
