"""Template helpers of the programmes app. (The "Enrolments" section of a case file's
page is a panel: ``programmes.panels``.)"""

from django import template
from django.utils.translation import gettext as _

from programmes.models import Attendance, Enrolment
from programmes.selectors import Completion

register = template.Library()


@register.filter
def completion_label(state: str) -> str:
    return {
        Completion.COMPLETED: _("Completed"),
        Completion.IN_PROGRESS: _("In progress"),
        Completion.NOT_COMPLETED: _("Not completed"),
        Completion.NO_RULE: "—",
    }.get(state, "")


@register.filter
def attendance_status_label(status: str) -> str:
    return str(dict(Attendance.Status.choices).get(status, status))


@register.filter
def enrolment_status_label(status: str | None) -> str:
    if not status:
        return _("Not enrolled")
    return str(dict(Enrolment.Status.choices).get(status, status))
