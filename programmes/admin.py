"""Reference data of the programmes app. Enrolments, attendance and walk-ins hold
personal data: they are kept through the application, behind its access gate, and are
not registered here."""

from django.contrib import admin

from youthtrack.admin_history import (
    AuditedDeleteAdmin,
    HistoryKeptAdmin,
    HistoryKeptInline,
)

from .models import ActivityType, Cohort, Programme, ProgrammePhase, Session


class ProgrammePhaseInline(HistoryKeptInline, admin.StackedInline):
    model = ProgrammePhase
    extra = 0
    fields = [
        "order",
        "name_fr",
        "name_nl",
        "name_en",
        "kind",
        "duration_weeks",
        "counts_for_completion",
        "activity_types",
    ]
    filter_horizontal = ["activity_types"]


@admin.register(Programme)
class ProgrammeAdmin(HistoryKeptAdmin):
    list_display = [
        "code",
        "name_fr",
        "name_nl",
        "min_age",
        "max_age",
        "completion_min_rate",
        "is_active",
    ]
    search_fields = ["code", "name_fr", "name_nl", "name_en"]
    filter_horizontal = ["funders"]
    inlines = [ProgrammePhaseInline]


@admin.register(ActivityType)
class ActivityTypeAdmin(AuditedDeleteAdmin):
    list_display = ["code", "name_fr", "name_nl", "name_en", "sort_order"]


class SessionInline(HistoryKeptInline, admin.TabularInline):
    model = Session
    extra = 0
    fields = ["starts_at", "ends_at", "activity_type", "theme", "language", "mode"]
    show_change_link = True


@admin.register(Cohort)
class CohortAdmin(HistoryKeptAdmin):
    list_display = ["name", "programme", "start_date", "end_date", "capacity"]
    list_filter = ["programme"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "version"]
    filter_horizontal = ["advisors", "partners"]
    inlines = [SessionInline]


@admin.register(Session)
class SessionAdmin(HistoryKeptAdmin):
    list_display = ["__str__", "cohort", "starts_at", "theme", "language", "mode"]
    list_filter = ["theme", "language", "mode"]
    readonly_fields = ["created_by"]
