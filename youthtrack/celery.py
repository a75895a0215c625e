"""The Celery app. Tasks run in-process unless CELERY_BROKER_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthtrack.settings.local")

app = Celery("youthtrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
