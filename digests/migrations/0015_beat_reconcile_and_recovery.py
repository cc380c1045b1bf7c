"""Beat schedules: the blog's working copy reconciled with the database every minute; generation runs a dead
worker left "running" closed and retried every five minutes."""
from django.db import migrations

# (task, every n minutes); a message older than its period expires: the next one does the same work,
# and a worker that was down does not meet a backlog of them.
SCHEDULES = {
    "Reconcile the blog": ("digests.tasks.reconcile_blog", 1),
    "Recover abandoned generation": ("digests.tasks.recover_generation", 5),
}


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, minutes) in SCHEDULES.items():
        every, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": every,
                                                                "expire_seconds": minutes * 60})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [("digests", "0014_live_addresses_data"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create_schedules, remove_schedules)]
