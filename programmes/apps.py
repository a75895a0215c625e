from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from youthtrack.panels import register_case_panel

        from .panels import case_enrolments_context

        register_case_panel(
            "programmes.enrolments",
            template="programmes/includes/case_enrolments_section.html",
            context_function=case_enrolments_context,
            order=100,
        )
