"""What a form does when its save was refused as stale (someone else saved the record
after the form was opened): a form helper, so that views hold no merge rule.

The form keeps what the user typed and learns the record's current version; a field
the user left as it was when they opened the form takes the other person's value, so
that saving again keeps only the user's own edits. A field both changed keeps the
user's value, for them to decide with ``form.stale_changes`` shown beside it.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .audit import OpenedValue
from .forms import data_copy
from .services import StaleEditError, comparable_value


def merge_stale_edit(form: forms.BaseForm, error: StaleEditError) -> None:
    # Any: the record has a version field, which models.Model does not declare.
    current: Any = error.current
    form.data = data_copy(form)
    form.data[form.add_prefix("version")] = current.version
    form.stale_changes = error.changes  # type: ignore[attr-defined]
    first_seen: dict[str, object] = {}
    for change in error.changes:
        first_seen.setdefault(change.name, change.raw_before)
    for name, opened_value in first_seen.items():
        if name not in form.fields or name not in form.cleaned_data:
            continue
        typed = comparable_value(form.cleaned_data[name])
        if isinstance(opened_value, OpenedValue):
            # A personal field: the trail knows its opening value by fingerprint.
            if not opened_value.matches(typed):
                continue
        elif typed != opened_value:
            continue  # the user changed it too: theirs stays, for them to decide
        key = form.add_prefix(name)
        current_value = getattr(current, current._meta.get_field(name).attname)
        if isinstance(current_value, bool):
            if current_value:
                form.data[key] = "on"
            else:
                form.data.pop(key, None)
        elif current_value is None:
            form.data[key] = ""
        elif isinstance(current_value, datetime.date):
            form.data[key] = current_value.isoformat()
        else:
            form.data[key] = str(current_value)


def apply_service_errors(
    form: forms.BaseForm,
    error: ValidationError,
    *other_forms: forms.BaseForm,
    renamed: dict[str, str] | None = None,
) -> None:
    """Put a service's ValidationError beside the fields it names, in whichever of the
    forms has that field (``renamed`` maps a model field to the form's name for it);
    the rest goes on top of the first form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (renamed or {}).get(field, field)
        target = next((f for f in (form, *other_forms) if name in f.fields), None)
        if target is None:
            form.add_error(None, errors)
        else:
            target.add_error(name, errors)


def show_stale_edit(
    request: HttpRequest, form: forms.BaseForm, error: StaleEditError
) -> None:
    """Keep what the user typed, show what changed, and let a second save decide."""
    messages.warning(
        request,
        _(
            "Someone else saved this record after you opened it. Your changes are "
            "not saved yet: check what changed below, then save again to keep yours."
        ),
    )
    merge_stale_edit(form, error)


def form_saved(
    request: HttpRequest, form: forms.BaseForm, save: Callable[[], object]
) -> bool:
    """Run a service for a valid form. On a refusal, put its errors beside the
    fields (or show what someone else changed) and keep what was typed."""
    try:
        save()
    except StaleEditError as error:
        show_stale_edit(request, form, error)
    except ValidationError as error:
        apply_service_errors(form, error)
    else:
        return True
    return False
