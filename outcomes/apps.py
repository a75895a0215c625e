from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes and reports")

    def ready(self):
        from youthtrack.panels import register_case_panel, register_page_panel

        from .progress import panels as progress_panels

        register_case_panel(
            "outcomes.distance_travelled",
            template="outcomes/includes/case_distance_travelled.html",
            context_function=progress_panels.distance_travelled_context,
            order=200,
        )
        register_case_panel(
            "outcomes.goals",
            template="outcomes/includes/case_goals.html",
            context_function=progress_panels.goals_context,
            order=210,
        )
        register_page_panel(
            "cohort",
            "outcomes.distance_travelled",
            template="outcomes/includes/cohort_distance_travelled.html",
            context_function=progress_panels.cohort_progress_context,
            order=200,
        )
