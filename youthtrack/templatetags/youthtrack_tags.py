from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from youthtrack import panels

register = template.Library()


@register.filter
def record_label(object_type: str) -> str:
    """'youthtrack.casefile' → 'case file', in the reader's language."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


@register.filter
def fields_changed(event) -> str:
    """The names of the fields an audit event changed, in the reader's language
    (never their values: a personal field's are not even kept)."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        model = None
    if model is None:
        return ""
    labels = []
    for name in changes:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # what an action noted besides fields (an export's kind…)
        if getattr(field, "verbose_name", None):
            labels.append(str(field.verbose_name))
    return ", ".join(labels)


@register.filter
def sensitive_named(consent) -> str:
    """The sensitive answers at entry a consent to sharing names, in the reader's
    language ("" for none)."""
    from youthtrack.forms import sensitive_answer_choices

    named = set(consent.sensitive_data or [])
    return ", ".join(
        label for name, label in sensitive_answer_choices() if name in named
    )


@register.simple_tag(takes_context=True)
def case_panels(context, case_file):
    """The panels other apps registered for the case page (``youthtrack.panels``)."""
    request = context["request"]
    return mark_safe(  # noqa: S308 - each part is a rendered, autoescaped template
        "".join(
            render_to_string(panel.template, panel_context, request=request)
            for panel, panel_context in panels.case_panels(
                request=request,
                case_file=case_file,
                # The page's answer, so that no panel works it out again.
                permissions=context.get("case_perms"),
            )
        )
    )


@register.simple_tag(takes_context=True)
def dashboard_panels(context):
    """The panels other apps registered for the dashboard (``youthtrack.panels``)."""
    request = context["request"]
    return mark_safe(  # noqa: S308 - each part is a rendered, autoescaped template
        "".join(
            render_to_string(panel.template, panel_context, request=request)
            for panel, panel_context in panels.dashboard_panels(request=request)
        )
    )


@register.simple_tag
def transition_url(case_file, to_status):
    """The page for a status change (another app may handle it: ``panels``)."""
    return panels.transition_url(case_file, to_status)


@register.simple_tag(takes_context=True)
def page_panels(context, page, **objects):
    """The panels other apps registered for a page ("cohort": ``cohort=…``)."""
    request = context["request"]
    return mark_safe(  # noqa: S308 - each part is a rendered, autoescaped template
        "".join(
            render_to_string(panel.template, panel_context, request=request)
            for panel, panel_context in panels.page_panels(
                page, request=request, **objects
            )
        )
    )
