"""haconsole project package: settings, ASGI/Celery entry points, URLs."""

from console.celery import app as celery_app

__all__ = ["celery_app"]
