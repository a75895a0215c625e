from django.urls import path

from .imports import views as import_views
from .privacy import views as privacy_views
from .progress import views as progress_views
from .records import views as record_views
from .reports import views as report_views
from .statistics import views as statistics_views
from .subject_access import views as subject_access_views

app_name = "outcomes"

urlpatterns = [
    path("cases/<int:pk>/exit/", record_views.participation_exit, name="exit"),
    path(
        "cases/<int:pk>/outcomes/new/",
        record_views.outcome_create,
        name="outcome_create",
    ),
    path(
        "cases/<int:pk>/outcomes/<int:outcome_pk>/evidence/",
        record_views.evidence_download,
        name="evidence_download",
    ),
    path(
        "cases/<int:pk>/follow-ups/<int:follow_up_pk>/",
        record_views.follow_up_answer,
        name="follow_up_answer",
    ),
    path("follow-ups/", record_views.follow_up_list, name="follow_up_list"),
    path("imports/", import_views.import_records, name="import_records"),
    path("imports/<int:pk>/", import_views.import_run, name="import_run"),
    path(
        "imports/template.xlsx",
        import_views.import_template,
        name="import_template",
    ),
    path(
        "cases/<int:pk>/distance/<slug:moment>/",
        progress_views.assessment_edit,
        name="assessment_edit",
    ),
    path("cases/<int:pk>/goals/new/", progress_views.goal_create, name="goal_create"),
    path(
        "cases/<int:pk>/goals/<int:goal_pk>/edit/",
        progress_views.goal_edit,
        name="goal_edit",
    ),
    path("people/<int:pk>/erase/", privacy_views.person_erase, name="person_erase"),
    path("cases/<int:pk>/legal-hold/", privacy_views.legal_hold, name="legal_hold"),
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/quality/", report_views.report_quality, name="report_quality"),
    path("reports/<int:job_pk>/", report_views.report_detail, name="report_detail"),
    path(
        "reports/<int:job_pk>/download/<str:fmt>/",
        report_views.report_download,
        name="report_download",
    ),
    path(
        "reports/<int:job_pk>/figures/<str:code>/",
        report_views.report_drilldown,
        name="report_drilldown",
    ),
    path(
        "data-protection/people/<int:person_pk>/right-of-access/",
        subject_access_views.subject_access_export,
        name="subject_access_export",
    ),
    path(
        "statistics/",
        statistics_views.statistics_export,
        name="statistics_export",
    ),
]
