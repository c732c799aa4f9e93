"""Relais: the Django project package (settings, URLs, Celery) and the core apps."""

from advocacy.celery import app as celery_app

__all__ = ("celery_app",)
