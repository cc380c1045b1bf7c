"""App configuration for digests."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = _("Editorial desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import readers, tasks  # noqa: F401 - the tasks: digests.queue sends them by name
        from .generation import tasks as generation_tasks  # noqa: F401

        readers.connect()
