from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:programme_pk>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("calendar/", views.session_calendar, name="calendar"),
    path("contacts/", views.contacts, name="contacts"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/enrol/", views.cohort_enrol, name="cohort_enrol"),
    path(
        "cohorts/<int:pk>/attendance.csv",
        views.cohort_attendance_csv,
        name="cohort_attendance_csv",
    ),
    path(
        "cohorts/<int:cohort_pk>/sessions/new/",
        views.session_create,
        name="session_create",
    ),
    path("sessions/<int:pk>/", views.session_register, name="session_register"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/sheet.pdf", views.session_sheet_pdf, name="session_pdf"),
    path("sessions/<int:pk>/sheet.csv", views.session_sheet_csv, name="session_csv"),
    path(
        "sessions/<int:session_pk>/walk-ins/new/",
        views.walk_in_create,
        name="walk_in_create",
    ),
    path("walk-ins/<int:pk>/convert/", views.walk_in_convert, name="walk_in_convert"),
    path("walk-ins/<int:pk>/intake/", views.walk_in_intake, name="walk_in_intake"),
    path(
        "enrolments/<int:pk>/withdraw/",
        views.enrolment_withdraw,
        name="enrolment_withdraw",
    ),
    path("cases/<int:case_pk>/enrol/", views.case_enrol, name="case_enrol"),
]
