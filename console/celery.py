"""The one Celery application: configured from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

app = Celery("haconsole")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
