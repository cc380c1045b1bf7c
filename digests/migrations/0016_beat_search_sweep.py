"""Beat schedule: the search index swept every ten minutes (a bulk import's indexing a broker outage lost)."""
from django.db import migrations

NAME = "Sweep the search index"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "digests.tasks.index_search", "interval": every,
                                                            "expire_seconds": 600})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("digests", "0015_beat_reconcile_and_recovery")]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
