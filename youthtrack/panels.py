"""Pages that show several apps' parts (the case page, the dashboard) are composed of
panels that each app registers, so that youthtrack, the lowest layer, never imports the
apps built on it.

An app registers its panels in its ``AppConfig.ready()``::

    register_case_panel(
        "enrolments",
        template="programmes/includes/case_enrolments_section.html",
        context_function=enrolments_panel_context,
        order=100,
    )

The page renders them in order with ``{% case_panels case %}`` or
``{% dashboard_panels %}`` (``youthtrack_tags``). A case panel's context function takes
``request`` and ``case_file`` (already reached through the gate by the page) and returns
the template's context, or ``None`` to show nothing; a dashboard panel's takes
``request``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .access import CaseFilePermissions, case_file_permissions
from .models import CaseFile

CaseContext = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context_function: CaseContext
    order: int


_case_panels: dict[str, Panel] = {}
_dashboard_panels: dict[str, Panel] = {}


def _register(registry: dict[str, Panel], panel: Panel) -> None:
    existing = registry.get(panel.key)
    if existing is not None and existing != panel:
        raise ValueError(f"a panel {panel.key!r} is already registered")
    registry[panel.key] = panel


def register_case_panel(
    key: str, *, template: str, context_function: CaseContext, order: int = 100
) -> None:
    _register(_case_panels, Panel(key, template, context_function, order))


def register_dashboard_panel(
    key: str, *, template: str, context_function: CaseContext, order: int = 100
) -> None:
    _register(_dashboard_panels, Panel(key, template, context_function, order))


def unregister_case_panel(key: str) -> None:
    _case_panels.pop(key, None)


def unregister_dashboard_panel(key: str) -> None:
    _dashboard_panels.pop(key, None)


def _ordered(registry: dict[str, Panel]) -> list[Panel]:
    return sorted(registry.values(), key=lambda panel: (panel.order, panel.key))


def case_permissions(request: HttpRequest, case_file: CaseFile) -> CaseFilePermissions:
    """The user's rights on the case file (``access.case_file_permissions``), worked
    out once per request: the case page and each of its panels ask, and for a
    partner each answer reads the sharing and its grant (two queries). The page's own
    answer is handed to ``case_panels``, which keeps it for the panels."""
    cache: dict[int, CaseFilePermissions] = request.__dict__.setdefault(
        "_case_file_permissions", {}
    )
    if case_file.pk not in cache:
        cache[case_file.pk] = case_file_permissions(
            request.user,  # type: ignore[arg-type]
            case_file,
        )
    return cache[case_file.pk]


def case_panels(
    *,
    request: HttpRequest,
    case_file: CaseFile,
    permissions: CaseFilePermissions | None = None,
) -> list[tuple[Panel, dict]]:
    """The case page's panels in order, each with its context (those that answered
    ``None`` left out). ``permissions``: the user's rights the page worked out, which
    the panels then read through ``case_permissions`` instead of working them out
    again."""
    if permissions is not None:
        request.__dict__.setdefault("_case_file_permissions", {})[case_file.pk] = (
            permissions
        )
    shown = []
    for panel in _ordered(_case_panels):
        context = panel.context_function(request=request, case_file=case_file)
        if context is not None:
            shown.append((panel, {"request": request, "case": case_file, **context}))
    return shown


def dashboard_panels(*, request: HttpRequest) -> list[tuple[Panel, dict]]:
    shown = []
    for panel in _ordered(_dashboard_panels):
        context = panel.context_function(request=request)
        if context is not None:
            shown.append((panel, {"request": request, **context}))
    return shown


# A status change another app handles with its own page (outcomes asks the situation
# upon leaving when a file is closed): to_status → URL name taking the case file's pk.
_transition_views: dict[str, str] = {}


def register_transition_view(to_status: str, url_name: str) -> None:
    existing = _transition_views.get(to_status)
    if existing is not None and existing != url_name:
        raise ValueError(f"the transition to {to_status!r} is already handled")
    _transition_views[to_status] = url_name


def unregister_transition_view(to_status: str) -> None:
    _transition_views.pop(to_status, None)


def transition_url(case_file: CaseFile, to_status: str) -> str:
    """Where the case page's button for a status change leads."""
    url_name = _transition_views.get(to_status)
    if url_name is not None:
        return reverse(url_name, args=[case_file.pk])
    return reverse("case_transition", args=[case_file.pk, to_status])


# Panels of other pages that a higher app composes (the cohort page of programmes, on
# which outcomes shows the cohort's distance travelled): page name → its panels. The
# context function takes ``request`` and the page's objects (``cohort=…``).
_page_panels: dict[str, dict[str, Panel]] = {}


def register_page_panel(
    page: str,
    key: str,
    *,
    template: str,
    context_function: CaseContext,
    order: int = 100,
) -> None:
    _register(
        _page_panels.setdefault(page, {}),
        Panel(key, template, context_function, order),
    )


def unregister_page_panel(page: str, key: str) -> None:
    _page_panels.get(page, {}).pop(key, None)


def page_panels(
    page: str, *, request: HttpRequest, **objects: Any
) -> list[tuple[Panel, dict]]:
    shown = []
    for panel in _ordered(_page_panels.get(page, {})):
        context = panel.context_function(request=request, **objects)
        if context is not None:
            shown.append((panel, {"request": request, **objects, **context}))
    return shown
