from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouthtrackConfig(AppConfig):
    name = "youthtrack"
    verbose_name = _("Case files")

    def ready(self):
        from .dashboard_panels import (
            declined_referrals_context,
            files_without_consent_context,
        )
        from .panels import register_dashboard_panel

        register_dashboard_panel(
            "youthtrack.declined_referrals",
            template="youthtrack/includes/dashboard_declined.html",
            context_function=declined_referrals_context,
            order=10,
        )
        register_dashboard_panel(
            "youthtrack.files_without_consent",
            template="youthtrack/includes/dashboard_consent_missing.html",
            context_function=files_without_consent_context,
            order=20,
        )
