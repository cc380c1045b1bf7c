"""Schedule each series' daily generation at 12:00 Asia/Seoul, feeds every 30 minutes, due publishing every minute."""
import json

from django.db import migrations

SERIES = ["tech", "entertainment"]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    noon, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="12", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Seoul"
    )
    half_hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="*/30", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Seoul"
    )
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    for slug in SERIES:
        PeriodicTask.objects.get_or_create(
            name=f"Generate {slug} digest",
            defaults={"task": "digests.tasks.generate_draft", "crontab": noon, "kwargs": json.dumps({"series_slug": slug})},
        )
        PeriodicTask.objects.get_or_create(
            name=f"Fetch {slug} sources",
            defaults={"task": "digests.tasks.fetch_sources", "crontab": half_hourly, "kwargs": json.dumps({"series_slug": slug})},
        )
    PeriodicTask.objects.get_or_create(
        name="Publish due digests", defaults={"task": "digests.tasks.publish_due", "interval": every_minute}
    )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    names = [f"Generate {s} digest" for s in SERIES] + [f"Fetch {s} sources" for s in SERIES] + ["Publish due digests"]
    PeriodicTask.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("digests", "0004_blog_sources"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create_schedules, remove_schedules)]
