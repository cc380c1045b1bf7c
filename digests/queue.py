"""Queue Celery tasks by name, so services ask for follow-up work without importing the task modules that call them."""
import logging

from celery import current_app
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def send(name, *args, **kwargs) -> bool:
    """Queue the task `name` now; False, and logged, when the broker is unavailable (the caller says what happens then).

    The task modules are imported by DigestsConfig.ready(), so every process knows every name.
    """
    try:
        current_app.tasks[name].apply_async(args, kwargs, retry=False)
    except OperationalError as exc:
        log.error("%s%r was not queued, the broker is unavailable: %s", name, args, exc)
        return False
    return True
