"""queue: every task name the code sends is one every process knows; a broker outage is False and logged."""
import os
import re
import subprocess
import sys
from pathlib import Path

from kombu.exceptions import OperationalError

from digests import queue, tasks

APP = Path(__file__).resolve().parents[1]


def test_every_task_name_sent_is_registered_without_importing_a_task_module():
    sent = {name for path in APP.rglob("*.py") if "tests" not in path.relative_to(APP).parts
            for name in re.findall(r"[\"'](digests\.tasks\.\w+)[\"']", path.read_text(encoding="utf-8"))}
    assert {"digests.tasks.reconcile_blog", "digests.tasks.index_search", "digests.tasks.generate_draft",
            "digests.tasks.fetch_sources", "digests.tasks.regenerate_item"} <= sent
    # In a fresh process that imports no task module itself, as a web worker: DigestsConfig.ready() registers them.
    known = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from celery import current_app; "
                               "print(*current_app.tasks)"],
        cwd=APP.parent, env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings_test"},
        capture_output=True, text=True, check=True).stdout.split()
    assert sent <= set(known), sent - set(known)


def test_a_broker_outage_is_false_and_logged_with_the_task(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(tasks.index_search, "apply_async", refuse)
    assert queue.send("digests.tasks.index_search", [1, 2]) is False
    assert "digests.tasks.index_search([1, 2],) was not queued" in caplog.text


def test_a_task_is_queued_with_its_arguments(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.index_search, "apply_async", lambda args, kwargs, **options: sent.append((args, kwargs)))
    assert queue.send("digests.tasks.index_search", [3]) is True
    assert sent == [(([3],), {})]
