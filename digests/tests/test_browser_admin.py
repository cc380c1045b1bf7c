"""The editors' morning in a real browser (Playwright driving Debian's chromium), with screenshots as artifacts."""
import os
import shutil

import pytest

from conftest import in_ci
from digests.models import Digest, Status
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
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


class Person:
    """One person's browser session: logs in through the admin's login page."""

    def __init__(self, browser, live_server, artifacts_dir, username):
        # Tall enough that the first and third stories are on screen together for dragging.
        self.context = browser.new_context(viewport={"width": 1280, "height": 4000}, locale="ko-KR")
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.base, self.artifacts, self.username = live_server.url, artifacts_dir, username
        self.page.goto(f"{self.base}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "pw")
        with self.page.expect_navigation():
            self.page.click("input[type=submit]")
        assert self.page.locator("#user-tools").count(), f"{username} could not log in"

    def open(self, digest):
        self.page.goto(f"{self.base}/admin/digests/digest/{digest.pk}/change/")

    def shot(self, name):
        self.page.screenshot(path=str(self.artifacts / f"browser_admin_{name}.png"), full_page=True)

    def transition(self, name, comment=None):
        form = self.page.locator(f"form.workflow-form--{name}")
        if comment is not None:
            form.locator("textarea[name=comment]").fill(comment)
        with self.page.expect_navigation():
            form.locator("button").click()
        return self.page.locator(".messagelist").inner_text()

    def save(self):
        with self.page.expect_navigation():
            self.page.click("input[name=_continue]")
        return self.page.locator(".messagelist").inner_text()


def test_the_morning(browser, live_server, artifacts_dir):
    """Editor fixes, reorders, submits; reviewer asks for changes; editor resubmits and shares a preview link;
    another reviewer approves; a publisher publishes; the public page shows the text."""
    for name, role in [("editor", "Editor"), ("reviewer", "Reviewer"), ("reviewer2", "Reviewer"),
                       ("publisher", "Publisher")]:
        UserFactory(username=name, role=role)
    digest = DigestFactory()
    titles = list(digest.items.values_list("title", flat=True))

    editor = Person(browser, live_server, artifacts_dir, "editor")
    editor.open(digest)
    assert editor.page.locator("form.workflow-form--approve").count() == 0
    editor.page.fill("#id_items-0-summary", "고친 요약: 반도체 수출이 **12%** 늘었다.")
    # markdownx renders its live preview next to the editor.
    editor.page.locator("#items-0 .markdownx-preview strong", has_text="12%").wait_for()
    # Drag the third story above the first by its handle.
    source = editor.page.locator("#items-2 > h3.djn-drag-handler").bounding_box()
    target = editor.page.locator("#items-0 > h3.djn-drag-handler").bounding_box()
    mouse = editor.page.mouse
    mouse.move(source["x"] + 30, source["y"] + source["height"] / 2)
    mouse.down()
    # The sortable follows real mouse movement, so move in steps rather than jump.
    mouse.move(target["x"] + 30, target["y"] + 2, steps=25)
    mouse.move(target["x"] + 30, target["y"] - 4, steps=5)
    mouse.up()
    assert editor.page.input_value("#id_items-2-position") == "0"
    editor.shot("1_editor_edited")
    assert "성공" in editor.save() or "success" in editor.page.content()
    stored = list(Digest.objects.get(pk=digest.pk).items.values_list("title", flat=True))
    assert stored[0] == titles[2] and set(stored) == set(titles), stored
    assert "12%" in Digest.objects.get(pk=digest.pk).items.get(title=titles[0]).summary
    assert "Submit for review: done" in editor.transition("submit")
    editor.shot("2_editor_submitted")

    reviewer = Person(browser, live_server, artifacts_dir, "reviewer")
    reviewer.page.goto(f"{reviewer.base}/admin/digests/digest/?queue=mine")
    reviewer.page.click(f"text={digest.title}")
    assert "Request changes: done" in reviewer.transition("request_changes", "네 번째 기사 요약이 너무 짧아요.")
    reviewer.shot("3_reviewer_requested_changes")

    editor.open(digest)
    assert "네 번째 기사 요약이 너무 짧아요." in editor.page.locator("#timeline").inner_text()
    editor.page.fill("#id_items-3-summary", "네 번째 기사의 요약을 충분히 길게 다시 썼습니다.")
    editor.save()
    assert "Submit for review: done" in editor.transition("submit")

    # A colleague without an account checks the text through a signed share link.
    with editor.page.expect_navigation():
        editor.page.click("button[name=share]")
    link = editor.page.locator("a.share-link").get_attribute("href")
    stranger = browser.new_context()
    page = stranger.new_page()
    # The link carries SITE_URL; the test server listens elsewhere.
    response = page.goto(live_server.url + "/admin/" + link.split("/admin/", 1)[1])
    assert response.status == 200 and "/login/" not in page.url
    assert "네 번째 기사의 요약을 충분히 길게 다시 썼습니다." in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts_dir / "browser_admin_4_shared_preview.png"), full_page=True)
    stranger.close()

    second = Person(browser, live_server, artifacts_dir, "reviewer2")
    second.open(digest)
    assert "Approve: done" in second.transition("approve", "좋습니다")
    second.shot("5_reviewer2_approved")

    publisher = Person(browser, live_server, artifacts_dir, "publisher")
    publisher.open(digest)
    assert "Publish: done" in publisher.transition("publish")
    publisher.shot("6_published")
    digest.refresh_from_db()
    assert digest.status == Status.PUBLISHED

    publisher.page.goto(live_server.url + digest.get_absolute_url())
    text = publisher.page.locator("body").inner_text()
    assert "네 번째 기사의 요약을 충분히 길게 다시 썼습니다." in text and "반도체 수출이" in text
    assert text.index(titles[2]) < text.index(titles[0])
    publisher.shot("7_public_page")
    for person in (editor, reviewer, second, publisher):
        person.context.close()
