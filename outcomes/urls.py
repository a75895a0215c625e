from django.urls import path

from .progress import views as progress_views

app_name = "outcomes"

urlpatterns = [
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
]
