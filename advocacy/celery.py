"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import task_prerun
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

app = Celery("relais")
app.config_from_object("django.conf:settings", namespace="CELERY")
# One direct exchange per queue, bound by its own name: a task routed to "publishing" lands there only.
app.conf.task_queues = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("default", "publishing", "polling")
]
app.conf.task_default_exchange = "default"
app.conf.task_default_routing_key = "default"
app.autodiscover_tasks()


@task_prerun.connect
def _usable_database_connection(sender=None, **kwargs):
    """Workers keep their connection between tasks (settings: ``CELERY_DB_REUSE_MAX``); before each task,
    drop it if it is broken or older than ``CONN_MAX_AGE``, as Django does at the start of a request.
    Not for eager tasks: they run inside the caller's (or a test's) transaction."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()
