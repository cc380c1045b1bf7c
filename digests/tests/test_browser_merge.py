"""Two editors in two browser contexts edit the same digest at once: both changes survive, a clash is chosen."""
import pytest

from digests.models import Digest
from digests.tests.factories import DigestFactory, UserFactory
from digests.tests.test_browser_admin import Person, browser, close_contexts  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def drag(page, source, target):
    """Drag a story by its handle, as nested_admin's sortable wants it: real mouse moves, in steps."""
    start = page.locator(f"{source} > h3.djn-drag-handler").bounding_box()
    end = page.locator(f"{target} > h3.djn-drag-handler").bounding_box()
    mouse = page.mouse
    mouse.move(start["x"] + 30, start["y"] + start["height"] / 2)
    mouse.down()
    mouse.move(end["x"] + 30, end["y"] + 2, steps=25)
    mouse.move(end["x"] + 30, end["y"] - 4, steps=5)
    mouse.up()


def save(person):
    with person.page.expect_navigation():
        person.page.click("input[name=_continue]")


def test_two_editors_at_once(browser, live_server, artifacts_dir):  # noqa: F811
    UserFactory(username="editor", role="Editor")
    UserFactory(username="editor2", role="Editor")
    digest = DigestFactory()
    titles = list(digest.items.values_list("title", flat=True))
    first = Person(browser, live_server, artifacts_dir, "editor")
    second = Person(browser, live_server, artifacts_dir, "editor2")
    first.open(digest)
    second.open(digest)

    # The second editor rewrites item 2's summary and saves first.
    second.page.fill("#id_items-1-summary", "두 번째 편집자가 고친 요약")
    save(second)
    # The first, on the page as it was, moves the third story to the top and retitles the first.
    drag(first.page, "#items-2", "#items-0")
    assert first.page.input_value("#id_items-2-position") == "0"
    first.page.fill("#id_items-0-title", "첫 번째 편집자의 제목")
    save(first)
    assert "병합했습니다" in first.page.locator(".messagelist").inner_text()
    first.shot("merge_1_merged")
    stored = list(Digest.objects.get(pk=digest.pk).items.values_list("title", "summary"))
    assert stored[0][0] == titles[2] and stored[1][0] == "첫 번째 편집자의 제목"  # mine: the move and the title
    assert dict(stored)[titles[1]] == "두 번째 편집자가 고친 요약"  # theirs

    # Now both change item 4's summary: the clash is shown side by side and nothing is written until chosen.
    first.open(digest)
    second.open(digest)
    second.page.fill("#id_items-3-summary", "그쪽 요약")
    save(second)
    first.page.fill("#id_items-3-summary", "내 요약")
    save(first)
    panel = first.page.locator(".merge-conflicts")
    assert "그쪽 요약" in panel.locator(".merge-side--theirs").inner_text()
    assert "내 요약" in panel.locator(".merge-side--mine").inner_text()
    first.shot("merge_2_conflict")
    assert Digest.objects.get(pk=digest.pk).items.get(position=3).summary == "그쪽 요약"
    save(first)  # no choice yet: still nothing written
    assert first.page.locator(".merge-conflicts").count() == 1
    first.page.click(".merge-side--mine input[type=radio]")
    save(first)
    assert first.page.locator(".merge-conflicts").count() == 0
    assert Digest.objects.get(pk=digest.pk).items.get(position=3).summary == "내 요약"
