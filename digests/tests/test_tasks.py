"""Task limits against the broker: a task whose worker died comes back soon, and a running one never twice."""
from django.conf import settings

from newsroom.celery import app


def test_every_task_ends_before_the_broker_hands_it_out_again():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ours = {name: task for name, task in app.tasks.items() if name.startswith("digests.")}
    assert {"digests.tasks.generate_draft", "digests.tasks.reconcile_blog", "digests.tasks.recover_generation"} <= set(ours)
    for name, task in ours.items():
        limit = task.time_limit or app.conf.task_time_limit
        assert limit and limit < visibility, f"{name}: time limit {limit} s, visibility timeout {visibility} s"
    # Matched to the limits, not an hour: a killed worker's generation resumes within minutes.
    assert visibility == settings.CELERY_TASK_TIME_LIMIT + 60 < 3600
