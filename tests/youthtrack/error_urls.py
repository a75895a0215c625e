"""The application's URLs plus one that fails, to see the 500 page a user gets."""

from django.urls import path

from youthtrack.urls import urlpatterns as application


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [*application, path("fail/", fail)]
