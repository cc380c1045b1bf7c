"""The reviewer's evidence in a real browser: each sentence's state, a click shows its quote highlighted in the
source, and approval over an unsupported sentence takes a reason that the timeline keeps."""
import pytest

from digests import workflow
from digests.models import ArticlePage, Digest, FeedEntry, ItemSource, ReviewEvent, Source, Status
from digests.tests.factories import DigestFactory, UserFactory
from digests.tests.test_browser_admin import Person, browser, close_contexts  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ARTICLE = ("SpaceX said on Monday that it will acquire xAI in a deal valued at $16 billion. "
           "The combined company plans to launch data centers into orbit within three years.")


def grounded_digest():
    digest = DigestFactory()
    item = digest.items.order_by("position").first()
    feed = Source.objects.create(series=digest.series, name="TechCrunch", url="https://techcrunch.example/feed")
    entry = FeedEntry.objects.create(source=feed, guid="tc-1", url="https://techcrunch.example/spacex",
                                     title="SpaceX acquires xAI", summary="SpaceX will buy xAI.")
    ArticlePage.objects.create(entry=entry, url=entry.url, status="ok", text=ARTICLE, language="en")
    ItemSource.objects.filter(news_item=item).update(entry=entry, url=entry.url, name="TechCrunch")
    item.summary = "SpaceX는 xAI를 160억 달러에 인수합니다. 거래 규모는 16억 달러입니다."
    item.provenance = {"sentences": [
        {"text": "SpaceX는 xAI를 160억 달러에 인수합니다.", "source": 1,
         "quote": "it will acquire xAI in a deal valued at $16 billion"},
        {"text": "거래 규모는 16억 달러입니다.", "source": 1, "quote": "a deal valued at $16 billion"},
    ]}
    item.save()
    return digest, item


def test_the_reviewer_sees_the_evidence_and_overrides_with_a_reason(browser, live_server, artifacts_dir):  # noqa: F811
    editor = UserFactory(username="editor", role="Editor")
    UserFactory(username="reviewer", role="Reviewer")
    digest, item = grounded_digest()
    workflow.submit(digest, editor)
    reviewer = Person(browser, live_server, artifacts_dir, "reviewer")
    reviewer.goto(f"/admin/digests/digest/{digest.pk}/review/")
    page = reviewer.page
    panel = page.locator(f"#evidence-{item.pk}")
    sentences = panel.locator(".evidence-sentence")
    assert sentences.count() == 2
    assert "확인됨" in sentences.nth(0).locator(".evidence-state").inner_text()
    assert "근거 없음" in sentences.nth(1).locator(".evidence-state").inner_text()
    assert "단일 출처" in panel.inner_text()

    # The quote shows only on a click, highlighted inside the source's own text.
    mark = sentences.nth(0).locator("mark")
    assert not mark.is_visible()
    reviewer.click(f"#evidence-{item.pk} .evidence-sentence:nth-child(1) summary", navigates=False)
    assert mark.is_visible()
    assert mark.inner_text() == "it will acquire xAI in a deal valued at $16 billion"
    assert "SpaceX said on Monday that" in sentences.nth(0).locator("blockquote").inner_text()
    reviewer.click(f"#evidence-{item.pk} .evidence-sentence:nth-child(2) summary", navigates=False)
    assert "16억 달러" in sentences.nth(1).locator(".evidence-reason").inner_text()
    reviewer.shot("evidence")

    # Approve without the override: refused, naming the sentence.
    reviewer.click("button.workflow-button--approve")
    assert "16억 달러" in reviewer.message()
    assert Digest.objects.get(pk=digest.pk).status == Status.IN_REVIEW
    # With the override and a reason: approved, and the timeline keeps which sentence went out unsupported.
    page.check("input[name=override_unsupported]")
    reviewer.type("#review-comment", "TechCrunch 원문 확인: 160억 달러가 맞고 두 번째 문장은 편집자가 고칩니다.")
    reviewer.click("button.workflow-button--approve")
    assert Digest.objects.get(pk=digest.pk).status == Status.APPROVED
    event = ReviewEvent.objects.get(digest=digest, action="approve")
    assert [o["sentence"] for o in event.data["override_unsupported"]] == ["거래 규모는 16억 달러입니다."]
    reviewer.goto(f"/admin/digests/digest/{digest.pk}/review/")
    assert "근거 없는 문장 1개를 두고 승인" in page.locator("#timeline .timeline-override summary").inner_text()
    reviewer.click("#timeline .timeline-override summary", navigates=False)
    timeline = page.locator("#timeline").inner_text()
    assert "거래 규모는 16억 달러입니다." in timeline and "TechCrunch 원문 확인" in timeline
