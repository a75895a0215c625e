from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from youthtrack.panels import register_case_panel, register_dashboard_panel
        from youthtrack.signals import participation_exit_changed

        from .receivers import exit_changed

        participation_exit_changed.connect(
            exit_changed, dispatch_uid="programmes.enrolments_on_exit"
        )

        from .panels import case_enrolments_context, dashboard_week_context

        register_case_panel(
            "programmes.enrolments",
            template="programmes/includes/case_enrolments_section.html",
            context_function=case_enrolments_context,
            order=100,
        )
        # The advisor's week, after the follow-ups after exit (outcomes, order 50).
        register_dashboard_panel(
            "programmes.week",
            template="programmes/includes/dashboard_week.html",
            context_function=dashboard_week_context,
            order=60,
        )
