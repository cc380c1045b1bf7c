"""Grounded drafts end to end: fixture feeds and article pages on 127.0.0.1, the fake model behind the real SDK.

Paraphrased and cross-language tellings become one item with every source; a wrong number, a foreign name and
a quote not in the source each end unsupported with the reason; approval is refused until overridden with a
comment; an editor's correction is checked again; hostile article pages are recorded and block nothing.
"""
import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from digests import evidence, workflow
from digests.generation import service
from digests.models import ArticlePage, ItemSource, NewsItem, ReviewEvent, Status
from digests.tests.fakes.feeds import article_page, rss, stories
from digests.tests.fakes.fixtures import *  # noqa: F401,F403

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)
HTML = "text/html; charset=utf-8"
TC_TEXT = [
    "SpaceX said on Monday that it will acquire xAI in a deal valued at $16 billion. The combined company plans "
    "to launch data centers into orbit within three years.",
    "Elon Musk, who runs both companies, said a third of the compute would be in orbit by 2030.",
]
VERGE_TEXT = [
    "Elon Musk is merging SpaceX with xAI in a $16 billion deal. The plan is to put data centers in space, "
    "powered by solar panels, starting in 2028.",
    "Regulators still have to approve the merger, which both boards have signed off on.",
]


@pytest.fixture
def now(tech):
    return tech.scheduled_at(DAY) - dt.timedelta(minutes=30)


@pytest.fixture
def grounded_feeds(tech, add_source, feed_server, fetch_settings, writer_settings, now):
    """Four outlets telling the SpaceX–xAI story (two in other words, two in Korean), other stories, hostile pages."""
    fetch_settings.NEWSROOM_FETCH_ARTICLES = True
    fetch_settings.NEWSROOM_ARTICLE_DEADLINE = 2.0
    fetch_settings.NEWSROOM_ARTICLE_MAX_BYTES = 256 * 1024
    base = feed_server.base_url
    feed_server.add("/tc/spacex-xai", body=article_page(
        "SpaceX acquires xAI in merger to build data centers in space", TC_TEXT, site="TechCrunch"), content_type=HTML)
    feed_server.add("/verge/spacex-xai", body=article_page(
        "SpaceX acquires xAI in merger, plans data centers in space", VERGE_TEXT, site="The Verge"), content_type=HTML)
    # Hostile pages behind ordinary stories: none may stop the draft.
    feed_server.add("/pages/huge", stream_bytes=8 * 1024 * 1024, content_type=HTML)
    feed_server.add("/pages/slow", body=article_page("Slow", TC_TEXT), content_type=HTML, delay=4)
    feed_server.add("/pages/private", redirect="http://10.0.0.1/admin")
    feed_server.add("/pages/pdf", body=b"%PDF-1.7", content_type="application/pdf")
    feed_server.add("/pages/mojibake", body="한국어 기사 본문입니다. ".encode("euc-kr") * 40, content_type=HTML)
    when = now - dt.timedelta(minutes=20)
    spacex = {
        "TechCrunch": {"title": "SpaceX acquires xAI in merger to build data centers in space",
                       "link": f"{base}/tc/spacex-xai", "description": "SpaceX will buy xAI for $16 billion."},
        "Verge": {"title": "SpaceX acquires xAI in merger, plans data centers in space",
                  "link": f"{base}/verge/spacex-xai", "description": "Musk merges SpaceX and xAI."},
        "GeekNews": {"title": "SpaceX, xAI 인수… 우주 데이터센터 구축 나선다", "link": f"{base}/geeknews/1",
                     "description": f'머스크가 두 회사를 합친다. <a href="{base}/tc/spacex-xai?utm_source=geeknews">원문</a>'},
        "연합뉴스": {"title": "스페이스X, xAI 160억 달러에 인수…우주에 데이터센터", "link": f"{base}/yna/1",
                  "description": "스페이스X가 xAI를 160억 달러에 인수한다고 밝혔다."},
    }
    hostile = ["huge", "slow", "private", "pdf", "mojibake"]
    for n, (name, story) in enumerate(spacex.items()):
        items = stories(name, 3, now - dt.timedelta(minutes=5), link_base=f"{base}/pages")
        if n < len(hostile):
            items[0]["link"] = f"{base}/pages/{hostile[n]}"
        items.append({**story, "published": when})
        add_source(tech, f"/{n}.xml", name=name, body=rss(items))
    if len(spacex) < len(hostile):
        items = stories("extra", 2, now - dt.timedelta(minutes=5), link_base=f"{base}/pages")
        items[0]["link"] = f"{base}/pages/{hostile[-1]}"
        add_source(tech, "/extra.xml", name="Extra", body=rss(items))


def generate(tech, now, model_server, *behaviours):
    model_server.script("gemini", *behaviours)
    return service.generate_draft(tech, DAY, now=now, writer_names=["gemini"])


def spacex_item(digest):
    return next(i for i in digest.items.all() if ItemSource.objects.filter(news_item=i, url__contains="spacex").exists())


def test_one_item_with_every_source_and_each_ungrounded_sentence_unsupported_with_its_reason(
        tech, grounded_feeds, now, model_server, feed_server):
    digest = generate(tech, now, model_server, "ungrounded", "ungrounded")
    item = spacex_item(digest)
    assert item.position == 0  # four outlets: the best covered story
    names = list(item.sources.values_list("name", flat=True))
    assert sorted(names) == ["GeekNews", "TechCrunch", "Verge", "연합뉴스"]
    assert digest.items.filter(sources__url__contains="spacex").distinct().count() == 1  # SpaceX once, not twice
    # The writer read the articles: TechCrunch's page text is what its sentences were checked against.
    page = ArticlePage.objects.get(entry=item.sources.get(name="TechCrunch").entry)
    assert page.status == "ok" and "valued at $16 billion" in page.text and page.language == "en"
    verdicts = item.provenance["sentences"]
    assert [v["state"] for v in verdicts] == ["unsupported"] * 3
    assert [[(r["code"], r.get("value")) for r in v["reasons"]] for v in verdicts] == [
        [("number_missing", "16억 달러")], [("name_missing", "Nvidia")], [("quote_missing", None)]]
    # The corrected retry was asked for, told what was wrong.
    assert "The number “16억 달러” is not in source 1." in model_server.requests[1]["prompt"]
    assert any("not supported by their sources" in w for w in digest.provenance["warnings"])
    # The other items cite their sources well.
    others = NewsItem.objects.filter(digest=digest).exclude(pk=item.pk)
    assert all(v["state"] != "unsupported" for other in others for v in other.provenance["sentences"])


def test_hostile_article_pages_are_recorded_and_the_draft_is_made(tech, grounded_feeds, now, model_server):
    digest = generate(tech, now, model_server)
    assert digest.items.count() == 5
    status = dict(ArticlePage.objects.filter(url__contains="/pages/").values_list("url", "status"))
    found = {url.rsplit("/", 1)[1]: s for url, s in status.items()}
    assert {k: found.get(k) for k in ["huge", "slow", "private", "pdf", "mojibake"]} == {
        "huge": "too_large", "slow": "timeout", "private": "blocked_host", "pdf": "not_html", "mojibake": "bad_encoding"}
    run = digest.generation_runs.get()
    failed = {f["status"] for f in run.details["articles"]["failed"]}
    assert {"too_large", "timeout", "blocked_host", "not_html", "bad_encoding"} <= failed
    assert "articles" in run.timings


def test_approval_is_refused_until_overridden_with_a_comment(tech, grounded_feeds, now, model_server, editor, reviewer):
    digest = generate(tech, now, model_server, "ungrounded", "ungrounded")
    workflow.submit(digest, editor)
    with pytest.raises(workflow.TransitionError, match=r"문장 3개가 출처로 뒷받침되지 않습니다.*16억 달러"):
        workflow.approve(digest, reviewer)
    with pytest.raises(workflow.TransitionError, match="출처로 뒷받침되지 않습니다"):
        workflow.approve(digest, reviewer, "", override=True)  # an override needs its reason
    digest.refresh_from_db()
    assert digest.status == Status.IN_REVIEW
    workflow.approve(digest, reviewer, "Checked with TechCrunch by phone: keep as is.", override=True)
    event = ReviewEvent.objects.get(digest=digest, action="approve")
    assert event.comment == "Checked with TechCrunch by phone: keep as is."
    assert [o["sentence"] for o in event.data["override_unsupported"]] == [
        "이번 거래의 규모는 16억 달러입니다.", "Nvidia도 이번 거래에 참여했습니다.", "회사는 거래를 곧 마무리할 예정입니다."]


def test_the_admin_approve_button_takes_the_override(tech, grounded_feeds, now, model_server, editor, reviewer, client):
    digest = generate(tech, now, model_server, "ungrounded", "ungrounded")
    workflow.submit(digest, editor)
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_transition", args=[digest.pk, "approve"])
    page = client.post(url, {"version": digest.version, "comment": "ok"}, follow=True)
    assert "출처로 뒷받침되지 않습니다" in page.content.decode()
    digest.refresh_from_db()
    assert digest.status == Status.IN_REVIEW
    client.post(url, {"version": digest.version, "comment": "Numbers checked.", "override_unsupported": "1"})
    digest.refresh_from_db()
    assert digest.status == Status.APPROVED


def test_an_editors_correction_is_checked_again(tech, grounded_feeds, now, model_server, editor, reviewer):
    digest = generate(tech, now, model_server, "ungrounded", "ungrounded")
    item = spacex_item(digest)
    item.summary = ("이번 거래의 규모는 160억 달러입니다. SpaceX와 xAI가 합병합니다.")
    item.save()
    verdicts = evidence.current(evidence.with_sources(NewsItem.objects.filter(pk=item.pk)).get())
    # The first sentence keeps its citation (source 1, its quote) and its number now holds; the new one is
    # checked against every source of the item.
    assert [(v["state"], v["source"]) for v in verdicts] == [("verified", 1), ("verified", 1)]
    assert "SpaceX said on Monday" in verdicts[0]["quote"] and verdicts[1]["quote"] == ""


def test_the_review_include_shows_states_reasons_and_the_quote_in_its_source(tech, grounded_feeds, now, model_server):
    digest = generate(tech, now, model_server, "ungrounded", "ungrounded")
    item = evidence.with_sources(NewsItem.objects.filter(pk=spacex_item(digest).pk)).get()
    html = render_to_string("admin/digests/_verification.html", {"item": item})
    assert html.count("evidence-sentence--unsupported") == 3
    assert "숫자 “16억 달러”이(가) 출처 1에 없습니다." in html and "인용문이 출처 1에 없습니다." in html
    assert "<mark>" in html and "단일 출처" not in html
    single = NewsItem.objects.filter(digest=digest).exclude(pk=item.pk).first()
    assert "단일 출처" in render_to_string("admin/digests/_verification.html", {"item": single})


def test_the_review_screen_shows_every_items_evidence_in_a_fixed_number_of_queries(
        tech, grounded_feeds, now, model_server, editor, reviewer, client, django_assert_max_num_queries):
    digest = generate(tech, now, model_server, "ungrounded", "ungrounded")
    workflow.submit(digest, editor)
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_review", args=[digest.pk])
    client.get(url)  # the first view stores the verdicts it computed
    with django_assert_max_num_queries(20):
        html = client.get(url).content.decode()
    assert html.count('class="evidence"') == digest.items.count()
    assert html.count("evidence-sentence--unsupported") == 3
    assert "근거 없는 문장 3개가 있어도 승인" in html and 'name="override_unsupported"' in html
