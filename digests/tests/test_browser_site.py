"""The reader site in Debian's chromium: a reader's path through it, and no XSS payload ever runs."""
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client

from conftest import in_ci
from digests.tests.live import live_digest
from digests.tests.test_xss import xss_digest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://newsroom.test"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        message = f"chromium is not installed at {CHROMIUM}: run 'apt-get install chromium'"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM calls
    # from a thread with a running loop; here the calls are synchronous all the same.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def routed_page(browser, **options):
    """A page whose requests to ORIGIN are answered by the Django app, inside this test's transaction."""
    client = Client(HTTP_HOST=urlsplit(ORIGIN).netloc)
    context = browser.new_context(locale="ko-KR", **options)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs

    connection = connections["default"]

    def answer(route):
        # Route handlers run in Playwright's greenlet, whose context would open a second database
        # connection outside this test's transaction: hand it the test's own.
        connections["default"] = connection
        url = urlsplit(route.request.url)
        if url.path.startswith("/static/"):
            found = finders.find(url.path.removeprefix("/static/"))
            if found:
                return route.fulfill(status=200, path=found)
            return route.fulfill(status=404, body="")
        response = client.get(url.path + (f"?{url.query}" if url.query else ""))
        headers = {k: v for k, v in response.items()}
        return route.fulfill(status=response.status_code, headers=headers, body=response.content)

    context.route(f"{ORIGIN}/**", answer)
    # Nothing leaves the machine: any other origin is refused.
    context.route(lambda url: not url.startswith(ORIGIN), lambda route: route.abort())
    return page


@pytest.fixture
def page(browser):
    page = routed_page(browser, viewport={"width": 1100, "height": 900})
    yield page
    page.context.close()


def shot(page, artifacts_dir, name):
    page.screenshot(path=str(artifacts_dir / f"site-{name}.png"), full_page=True)


def test_home_digest_tag_search_feed(page, tech, entertainment, artifacts_dir):
    cache.clear()
    older = live_digest(series=tech, tags=["AI", "반도체"])
    digest = live_digest(series=tech, tags=["AI", "클라우드"])
    live_digest(series=entertainment, tags=["K-pop"])
    title = digest.live_snapshot["title"]

    page.goto(ORIGIN + "/")
    assert page.locator("h1").inner_text() == "최신 뉴스 다이제스트"
    assert page.locator(".card").count() == 3
    shot(page, artifacts_dir, "1-home")

    page.get_by_role("link", name=title).click()
    page.wait_for_url(ORIGIN + digest.get_absolute_url())
    assert page.locator("article h1").inner_text() == title
    assert page.locator(".post-content h3").count() == 5
    assert page.locator(".post-content a[rel='noopener nofollow']").count() == 5
    assert page.locator("a[rel=prev]").inner_text().endswith(older.live_snapshot["title"])
    shot(page, artifacts_dir, "2-digest")

    page.locator("article .tags").get_by_role("link", name="#클라우드").click()
    page.wait_for_url("**/tags/**")
    assert page.locator("h1").inner_text() == "#클라우드"
    assert [t.inner_text() for t in page.locator(".card h2").all()] == [title]
    shot(page, artifacts_dir, "3-tag")

    page.locator("header input[name=q]").fill("클라우드")
    page.locator("header input[name=q]").press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert "검색 결과 1건" in page.locator("main").inner_text()
    assert [t.inner_text() for t in page.locator(".card h2").all()] == [title]
    shot(page, artifacts_dir, "4-search")

    with page.expect_response(lambda r: r.url.endswith("/feed.xml")) as feed:
        page.get_by_role("link", name="RSS/Atom 피드").click()
    response = feed.value
    assert response.status == 200 and response.headers["content-type"].startswith("application/atom+xml")
    assert title in response.text()
    shot(page, artifacts_dir, "5-feed")
    assert page.dialogs == []


def test_no_payload_runs_in_the_browser(page, tech, artifacts_dir):
    digest = xss_digest(tech)
    urls = [digest.get_absolute_url(), "/", "/tech/", "/search/?q=텍스트", "/feed.xml"]
    for url in urls:
        page.goto(ORIGIN + url)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__xss") == "undefined", url
    page.goto(ORIGIN + digest.get_absolute_url())
    # The neutralised links are still there to click: they go nowhere and run nothing.
    for link in page.locator(".post-content a", has_text="click me").all():
        link.click()
    for link in page.locator(".post-content a", has_text="link").all():
        link.click()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.url == ORIGIN + digest.get_absolute_url()
    assert "<script>window.__xss=1;alert(1)</script>" in page.locator("article h1").inner_text()
    shot(page, artifacts_dir, "xss")
    assert page.dialogs == []


PHONE = {"width": 390, "height": 844}
LONG = ("초장문단어" * 12 + " https://example.com/" + "very-long-path-segment/" * 8 + "?utm_source=" + "x" * 80
        + " `" + "code_without_spaces_" * 6 + "`\n\n| 열 하나 | 열 둘 | 열 셋 | 열 넷 | 열 다섯 | 열 여섯 |\n|---|---|---|---|---|---|\n"
        + "| 긴내용긴내용긴내용 | 긴내용긴내용 | 긴내용긴내용 | 긴내용 | 긴내용긴내용 | 긴내용긴내용긴내용 |\n\n"
        + "```\n" + "preformatted_line_without_breaks_" * 5 + "\n```")


def test_no_page_scrolls_sideways_on_a_phone(browser, tech, entertainment, artifacts_dir):
    from digests import readers
    from digests.models import Digest

    cache.clear()
    digests = [live_digest(series=tech, tags=["아주아주긴태그이름" * 3, "AI"]) for _ in range(13)]
    live_digest(series=entertainment, tags=["K-pop"])
    long = digests[-1]
    snap = long.live_snapshot
    snap["title"] = "[긴 제목] " + "띄어쓰기없는아주긴한국어제목" * 4
    snap["items"][0]["title"] = "ThisIsAnExtremelyLongEnglishHeadlineWithoutAnySpaces" * 2
    snap["items"][0]["summary"] = LONG
    Digest.objects.filter(pk=long.pk).update(live_snapshot=snap)
    readers.live_changed([long.pk])
    urls = {"home": "/", "home-page-2": "/?page=2", "series": "/tech/", "archive": f"/archive/{long.date:%Y/%m}/",
            "tag": "/tags/AI/", "search": "/search/?q=" + "초장문단어", "search-empty": "/search/?q=없는말",
            "digest": long.get_absolute_url(), "not-found": "/nope/"}
    page = routed_page(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        widths = {}
        for name, url in urls.items():
            page.goto(ORIGIN + url)
            page.wait_for_load_state("load")
            widths[name] = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            page.screenshot(path=str(artifacts_dir / f"phone-{name}.png"), full_page=True)
        assert all(width <= PHONE["width"] for width in widths.values()), widths
        page.goto(ORIGIN + long.get_absolute_url())
        assert page.evaluate("getComputedStyle(document.body).wordBreak") == "keep-all"
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert page.locator(".brand").inner_text() == settings.SITE_NAME
        assert icon.endswith(".svg") and page.goto(ORIGIN + icon).status == 200
    finally:
        page.context.close()
