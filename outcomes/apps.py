from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes and reports")

    def ready(self):
        from youthtrack.panels import (
            register_case_panel,
            register_dashboard_panel,
            register_page_panel,
            register_transition_view,
        )
        from youthtrack.signals import (
            case_file_advisor_changed,
            participation_exit_changed,
        )

        from .privacy import panels as privacy_panels
        from .progress import panels as progress_panels
        from .records import panels as record_panels
        from .records.receivers import advisor_changed, exit_changed
        from .subject_access import panels as subject_access_panels

        # Closing a file asks the situation upon leaving and schedules follow-ups.
        register_transition_view("closed", "outcomes:exit")
        participation_exit_changed.connect(
            exit_changed, dispatch_uid="outcomes.follow_ups_on_exit"
        )
        case_file_advisor_changed.connect(
            advisor_changed, dispatch_uid="outcomes.follow_ups_follow_advisor"
        )
        register_case_panel(
            "outcomes.records",
            template="outcomes/includes/case_outcomes.html",
            context_function=record_panels.case_outcomes_context,
            order=150,
        )
        register_dashboard_panel(
            "outcomes.follow_ups",
            template="outcomes/includes/dashboard_follow_ups.html",
            context_function=record_panels.dashboard_follow_ups_context,
            order=50,
        )

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
        register_case_panel(
            "outcomes.legal_hold",
            template="outcomes/includes/case_legal_hold.html",
            context_function=privacy_panels.legal_hold_context,
            order=900,
        )
        register_page_panel(
            "dpo_person",
            "outcomes.subject_access",
            template="outcomes/includes/dpo_subject_access.html",
            context_function=subject_access_panels.subject_access_context,
            order=100,
        )
        register_page_panel(
            "dpo_person",
            "outcomes.erasure",
            template="outcomes/includes/dpo_erasure.html",
            context_function=privacy_panels.erasure_context,
            order=900,
        )
        register_page_panel(
            "cohort",
            "outcomes.distance_travelled",
            template="outcomes/includes/cohort_distance_travelled.html",
            context_function=progress_panels.cohort_progress_context,
            order=200,
        )
