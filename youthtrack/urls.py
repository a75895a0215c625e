from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from . import views, views_account, views_merge

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "login/",
        views_account.Login.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.intake, name="intake"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/person/", views.person_edit, name="person_edit"),
    path("cases/<int:pk>/merge/", views_merge.person_merge, name="person_merge"),
    path(
        "cases/<int:pk>/status/<slug:to_status>/",
        views.case_transition,
        name="case_transition",
    ),
    path("cases/<int:pk>/notes/", views.case_notes, name="case_notes"),
    path("cases/<int:pk>/access/", views.case_access_log, name="case_access_log"),
    path("cases/<int:pk>/notes/new/", views.note_create, name="note_create"),
    path("cases/<int:pk>/notes/<int:note_pk>/edit/", views.note_edit, name="note_edit"),
    path("cases/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path(
        "cases/<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("cases/<int:pk>/share/", views.case_share, name="case_share"),
    path(
        "cases/<int:pk>/shares/<int:share_pk>/revoke/",
        views.share_revoke,
        name="share_revoke",
    ),
    path("cases/<int:pk>/export.csv", views.case_export, name="case_export"),
    path("cases/export.csv", views.case_list_export, name="case_list_export"),
    path("shares/", views.shares, name="shares"),
    path(
        "shares/<int:share_pk>/decline/",
        views.share_decline,
        name="share_decline",
    ),
    path(
        "shares/<int:share_pk>/<slug:answer>/",
        views.share_answer,
        name="share_answer",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path("data-protection/", views.dpo_people, name="dpo_people"),
    path(
        "data-protection/people/<int:person_pk>/",
        views.dpo_person,
        name="dpo_person",
    ),
    path("account/", views_account.account, name="account"),
    path(
        "account/password/",
        views_account.PasswordChange.as_view(),
        name="password_change",
    ),
    path("account/two-factor/", views_account.otp_setup, name="otp_setup"),
    path("account/verify/", views_account.otp_verify, name="otp_verify"),
    path("programmes/", include("programmes.urls")),
    # By dotted string: youthtrack never imports outcomes (import-linter).
    path("outcomes/", include("outcomes.urls")),
    path("i18n/setlang/", views_account.set_language, name="set_language"),
    # Browsers and bookmarks ask for /favicon.ico whatever the page links to.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("favicon.svg")),
        name="favicon",
    ),
    path("admin/", admin.site.urls),
]
