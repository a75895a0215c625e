"""Template helpers of the programmes app, and the "Enrolments" section of a case
file's page (an inclusion tag, so that the case file's view needs no change)."""

from django import template
from django.utils.translation import gettext as _

from programmes import access, selectors
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


@register.inclusion_tag(
    "programmes/includes/case_enrolments_section.html", takes_context=True
)
def case_enrolments(context, case_file):
    """The case file's enrolments with attendance and completion; the case file has
    already been reached through its gate by the page that shows it."""
    user = context["request"].user
    return {
        "case": case_file,
        "entries": selectors.enrolment_list_for_case_file(
            user=user, case_file=case_file
        ),
        "can_enrol": access.can_enrol(user, case_file),
        "request": context["request"],
    }
