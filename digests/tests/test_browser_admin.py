"""The editors' morning in a real browser (Playwright driving Debian's chromium), with screenshots as artifacts."""
import os
import shutil

import pytest
from django.db import connections

from conftest import in_ci
from digests.models import Digest, Status
from digests.posts import digest_snapshot, with_content
from digests.tests.factories import DigestFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        message = "chromium is missing: install it with 'sudo apt-get install chromium' (Debian)."
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls beside it are still plain blocking calls.
    # Keep to one test per module: with that loop running, the next transactional test would not get the
    # migrations' data (groups, series) restored, as Django keys it to the connection of another context.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # With the loop running, Django's connection handler (asgiref's Local) hands out a connection object
    # of this context, without the migrations' data that transactional tests restore: give it to it, so a
    # second browser module after this one still finds its groups and series.
    contents = getattr(connections["default"], "_test_serialized_contents", None)
    try:
        with sync_playwright() as playwright:
            if contents is not None:
                connections["default"]._test_serialized_contents = contents
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


class Tally:
    """Counts what people do in the browser: clicks and fields typed into."""

    def __init__(self):
        self.clicks, self.typed, self.log = 0, 0, []


OPEN = []


@pytest.fixture(autouse=True)
def close_contexts():
    """Close every person's browser context, also after a failure: the live server must not keep serving them."""
    yield
    while OPEN:
        OPEN.pop().close()


class Person:
    """One person's browser session: logs in through the admin's login page; clicks and typing are counted."""

    def __init__(self, browser, live_server, artifacts_dir, username, tally=None, height=4000):
        self.context = browser.new_context(viewport={"width": 1280, "height": height}, locale="ko-KR")
        OPEN.append(self.context)
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.base, self.artifacts, self.username = live_server.url, artifacts_dir, username
        self.tally = tally or Tally()
        self.page.goto(f"{self.base}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "pw")
        with self.page.expect_navigation():
            self.page.click("input[type=submit]")
        assert self.page.locator("#user-tools").count(), f"{username} could not log in"

    def goto(self, path):
        self.page.goto(self.base + path)

    def open(self, digest):
        self.goto(f"/admin/digests/digest/{digest.pk}/change/")

    def shot(self, name):
        self.page.screenshot(path=str(self.artifacts / f"browser_admin_{name}.png"), full_page=True)

    def click(self, selector, navigates=True):
        self.tally.clicks += 1
        self.tally.log.append(f"{self.username} clicks {selector}")
        if navigates:
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)

    def type(self, selector, text):
        self.tally.typed += 1
        self.tally.log.append(f"{self.username} types into {selector}")
        self.page.fill(selector, text)

    def message(self):
        return self.page.locator(".messagelist").inner_text()


def test_the_morning(browser, live_server, artifacts_dir):
    """A complete generated draft that needs one summary fixed, to its publication, in at most 12 clicks:
    the editor fixes and submits, a reviewer asks for one more change, the editor fixes it, a second
    reviewer approves, a publisher publishes; the public page shows the text."""
    for name, role in [("editor", "Editor"), ("reviewer", "Reviewer"), ("reviewer2", "Reviewer"),
                       ("publisher", "Publisher")]:
        UserFactory(username=name, role=role)
    digest = DigestFactory(provenance={"writer": "gemini", "model": "gemini-2.5-flash"})
    Digest.objects.filter(pk=digest.pk).update(generated_snapshot=digest_snapshot(
        with_content(Digest.objects.filter(pk=digest.pk)).get()))
    tally = Tally()

    editor = Person(browser, live_server, artifacts_dir, "editor", tally)
    editor.open(digest)  # from here on, every click and typed field counts
    assert editor.page.locator("form.workflow-form--approve").count() == 0
    editor.type("#id_items-1-summary", "고친 요약: 반도체 수출이 **12%** 늘었다.")
    # markdownx renders its live preview next to the editor.
    editor.page.locator("#items-1 .markdownx-preview strong", has_text="12%").wait_for()
    editor.shot("1_editor_fixed_a_summary")
    editor.click("input[name=_submit]")
    assert "저장하고 검토를 요청했습니다" in editor.message()
    assert Digest.objects.get(pk=digest.pk).status == Status.IN_REVIEW
    editor.shot("2_editor_submitted_review_screen")

    reviewer = Person(browser, live_server, artifacts_dir, "reviewer", tally)
    reviewer.goto("/admin/digests/digest/?queue=mine")
    reviewer.shot("3_reviewer_queue")
    # The queue is readable at 1280 px: no column is cut off.
    room = reviewer.page.evaluate("(() => { const r = document.querySelector('.results');"
                                  " return r.clientWidth - r.scrollWidth; })()")
    print(f"the queue at 1280 px has {room} px to spare")
    assert room >= 0, "the queue scrolls sideways"
    reviewer.click(f"a.queue-title:has-text('{digest.title}')")
    assert "/review/" in reviewer.page.url
    # The fix is shown as a word diff against the generated draft.
    assert "12%" in reviewer.page.locator("#diff-draft").inner_text()
    reviewer.type("#review-comment", "네 번째 기사 요약이 너무 짧아요.")
    reviewer.click("button.workflow-button--request_changes")
    assert "변경 요청 완료" in reviewer.message()
    reviewer.shot("4_reviewer_requested_changes")

    editor.open(digest)
    # The request is at the top of the editor's page, not under 6,000 pixels of form.
    request = editor.page.locator(".workflow-decision")
    assert "네 번째 기사 요약이 너무 짧아요." in request.inner_text()
    assert request.bounding_box()["y"] < 600
    editor.type("#id_items-3-summary", "네 번째 기사의 요약을 충분히 길게 다시 썼습니다.")
    editor.click("input[name=_submit]")
    assert "저장하고 검토를 요청했습니다" in editor.message()

    second = Person(browser, live_server, artifacts_dir, "reviewer2", tally)
    second.goto("/admin/digests/digest/?queue=mine")
    second.click(f"a.queue-title:has-text('{digest.title}')")
    second.shot("5_reviewer2_review_screen")
    second.click("button.workflow-button--approve")
    assert "승인 완료" in second.message()
    second.shot("6_reviewer2_approved")

    publisher = Person(browser, live_server, artifacts_dir, "publisher", tally)
    publisher.goto("/admin/digests/digest/?status__exact=approved")
    publisher.click(f"a.queue-title:has-text('{digest.title}')")
    publisher.click("button.workflow-button--publish")
    assert "발행 완료" in publisher.message()
    publisher.shot("7_published")
    digest.refresh_from_db()
    assert digest.status == Status.PUBLISHED

    print(f"the morning: {tally.clicks} clicks, {tally.typed} typed fields:\n  " + "\n  ".join(tally.log))
    (artifacts_dir / "browser_admin_morning_clicks.txt").write_text(
        f"{tally.clicks} clicks, {tally.typed} typed fields\n" + "\n".join(tally.log) + "\n")
    assert tally.clicks <= 12 and tally.typed == 3

    publisher.goto(digest.get_absolute_url())
    text = publisher.page.locator("body").inner_text()
    assert "네 번째 기사의 요약을 충분히 길게 다시 썼습니다." in text and "반도체 수출이" in text
    publisher.shot("8_public_page")
