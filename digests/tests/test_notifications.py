"""Notifications: who gets which email, the Slack webhook, and failures that never break the workflow."""
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from digests import notifications, workflow
from digests.models import GenerationRun, ReviewEvent
from digests.tests.factories import DigestFactory

pytestmark = pytest.mark.django_db


class Received(list):
    """The webhook's bodies, plus .state["status"] to make it fail."""


@pytest.fixture
def slack_hook(settings):
    """A local stand-in for Slack's incoming webhook on 127.0.0.1; records the JSON bodies it gets."""
    received = Received()
    state = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(state["status"])
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SLACK_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    received.state = state
    yield received
    server.shutdown()
    server.server_close()


def test_submitted_goes_to_reviewers_and_publishers_but_not_the_submitter(editor, reviewer, publisher, make_user):
    make_user("Editor", username="other-editor")
    make_user("Reviewer", username="inactive", is_active=False)
    make_user("Reviewer", username="nomail", email="")
    digest = DigestFactory()
    assert notifications.submitted(digest, reviewer) == [publisher.email]
    assert notifications.submitted(digest, editor) == sorted([reviewer.email, publisher.email])
    assert "/admin/digests/digest/" in mail.outbox[-1].body


def test_reviewed_goes_to_the_submitter_with_the_comment(editor, reviewer):
    digest = DigestFactory(submitted_by=editor)
    notifications.reviewed(digest, ReviewEvent.Action.REQUEST_CHANGES, reviewer, "3번 기사 출처 확인")
    message = mail.outbox[-1]
    assert message.to == [editor.email]
    assert "변경을 요청했습니다" in message.body and "3번 기사 출처 확인" in message.body
    assert message.subject.startswith("[변경 요청함]")


def test_draft_ready_and_generation_failed_go_to_the_newsroom(editor, reviewer, tech):
    digest = DigestFactory(provenance={"warnings": ["item 3 fell back to extractive"]})
    assert notifications.draft_ready(digest) == sorted([editor.email, reviewer.email])
    assert "item 3 fell back to extractive" in mail.outbox[-1].body
    run = GenerationRun.objects.create(series=tech, date=dt.date(2026, 3, 1), status="failed", error="all writers failed")
    notifications.generation_failed(run)
    assert "all writers failed" in mail.outbox[-1].body
    assert "2026-03-01" in mail.outbox[-1].subject


def test_published_respects_weekdays_only(publisher, settings, monkeypatch):
    digest = DigestFactory()
    saturday = dt.date(2026, 3, 7)
    monkeypatch.setattr(notifications.timezone, "localdate", lambda: saturday)
    assert notifications.published(digest) == [publisher.email]
    settings.NEWSROOM_NOTIFY_WEEKDAYS_ONLY = True
    assert notifications.published(digest) == []
    monkeypatch.setattr(notifications.timezone, "localdate", lambda: saturday + dt.timedelta(days=2))
    assert notifications.published(digest) == [publisher.email]


def test_published_names_the_title_readers_see(publisher):
    digest = DigestFactory(title="[2026-03-09] 편집 중인 새 제목", live_snapshot={"title": "[2026-03-09] 발행된 제목"})
    notifications.published(digest)
    assert mail.outbox[-1].subject == "[발행] [2026-03-09] 발행된 제목"
    assert "편집 중인" not in mail.outbox[-1].body


def test_slack_gets_the_same_text(slack_hook, editor, reviewer):
    digest = DigestFactory(submitted_by=editor)
    notifications.reviewed(digest, ReviewEvent.Action.REJECT, reviewer, "중복 기사")
    assert len(slack_hook) == 1
    assert "반려했습니다" in slack_hook[0]["text"] and "중복 기사" in slack_hook[0]["text"]


def test_failures_are_logged_not_raised(slack_hook, editor, reviewer, settings, caplog,
                                        django_capture_on_commit_callbacks):
    slack_hook.state["status"] = 500
    settings.EMAIL_BACKEND = "digests.tests.test_notifications.BrokenBackend"
    digest = DigestFactory()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(digest, editor)
    digest.refresh_from_db()
    assert digest.status == "in_review"
    assert "could not send" in caplog.text and "Slack webhook failed" in caplog.text


def test_no_slack_without_a_webhook(settings):
    settings.SLACK_WEBHOOK_URL = ""
    assert notifications.slack("hello") is False


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")
