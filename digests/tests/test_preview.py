"""Previews: reader HTML, exact Jekyll Markdown with download, diff against the draft, signed expiring share links."""
import pytest
from django.core import signing
from django.urls import reverse

from digests import jekyll, preview
from digests.posts import digest_snapshot, digest_to_post
from digests.tests.factories import DigestFactory

pytestmark = pytest.mark.django_db


def test_reader_preview_renders_markdown_safely(client, editor):
    digest = DigestFactory()
    item = digest.items.get(position=0)
    item.summary = "**굵은** 요약 <script>alert(1)</script>"
    item.save()
    client.force_login(editor)
    html = client.get(reverse("admin:digests_digest_preview", args=[digest.pk])).content.decode()
    assert "<strong>굵은</strong> 요약" in html
    assert "<script>alert(1)</script>" not in html
    assert digest.title in html and "💡 시사점" in html and "원문 기사 보기" in html


def test_markdown_is_exactly_what_the_export_writes_and_downloads(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    expected = jekyll.render(digest_to_post(digest))
    response = client.get(reverse("admin:digests_digest_markdown", args=[digest.pk]) + "?download=1")
    assert response.content.decode() == expected
    assert response["Content-Disposition"] == f'attachment; filename="{digest.date:%Y-%m-%d}-daily-it-news.md"'
    page = client.get(reverse("admin:digests_digest_markdown", args=[digest.pk])).content.decode()
    assert "### " in page and "내려받기" in page


def test_diff_against_the_generated_draft(client, editor):
    digest = DigestFactory()
    digest.generated_snapshot = digest_snapshot(digest)
    digest.save()
    client.force_login(editor)
    url = reverse("admin:digests_digest_diff", args=[digest.pk])
    assert "변경 없음: 생성된 초안과 글이 똑같습니다." in client.get(url).content.decode()
    item = digest.items.get(position=1)
    old = item.summary
    item.summary = "편집자가 고친 요약"
    item.save()
    html = client.get(url).content.decode()
    assert f'<span class="diff-del">-{old}</span>' in html
    assert '<span class="diff-add">+편집자가 고친 요약</span>' in html
    assert "비교할 생성 초안이 없습니다" in client.get(reverse("admin:digests_digest_diff",
                                                      args=[DigestFactory(items=0).pk])).content.decode()


def test_share_link_works_without_an_account(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:digests_digest_share", args=[digest.pk]), follow=True)
    url = preview.share_url(digest)
    assert "이 미리보기 링크를 공유하세요" in response.content.decode()
    client.logout()
    shared = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert shared.status_code == 200
    html = shared.content.decode()
    assert digest.title in html and digest.items.first().title in html
    assert shared["X-Robots-Tag"] == "noindex, nofollow" and "no-store" in shared["Cache-Control"]
    # The admin itself stays closed.
    assert client.get(reverse("admin:digests_digest_preview", args=[digest.pk])).status_code == 302


def test_tampered_and_expired_links_are_refused_with_a_reason(client, settings):
    digest = DigestFactory(items=0)
    token = preview.share_token(digest)
    forged = token.replace(token.split(":")[0], signing.dumps({"d": digest.pk + 1}).split(":")[0])
    response = client.get(reverse("admin:digests_digest_shared", args=[forged]))
    assert response.status_code == 404 and "올바르지 않습니다" in response.content.decode()
    settings.NEWSROOM_PREVIEW_MAX_AGE = -1
    response = client.get(reverse("admin:digests_digest_shared", args=[token]))
    assert response.status_code == 410 and "만료되었습니다" in response.content.decode()
    with pytest.raises(preview.PreviewLinkError, match="만료"):
        preview.digest_from_token(token)


def test_share_link_of_a_deleted_digest(client):
    digest = DigestFactory(items=0)
    token = preview.share_token(digest)
    digest.delete()
    response = client.get(reverse("admin:digests_digest_shared", args=[token]))
    assert response.status_code == 404 and "더 이상 없습니다" in response.content.decode()


def test_previews_look_like_the_reader_site_and_never_link_unsafe_sources(client, editor):
    """The admin preview and the shared one render the site's own post template (digests.markdown, safe_url)."""
    from digests.models import ItemSource

    digest = DigestFactory()
    ItemSource.objects.filter(news_item__digest=digest, news_item__position=0).update(url="javascript:alert(1)")
    ItemSource.objects.filter(news_item__digest=digest, news_item__position=1).update(url="data:text/html,<b>x</b>")
    client.force_login(editor)
    pages = [client.get(reverse("admin:digests_digest_preview", args=[digest.pk])).content.decode()]
    client.logout()
    pages.append(client.get(preview.share_url(digest).removeprefix("http://127.0.0.1:8000")).content.decode())
    for html in pages:
        assert 'href="/static/digests/site.css"' in html and 'class="site-header"' in html
        assert 'class="post-content"' in html and "원문 기사 보기" in html
        assert 'href="javascript:' not in html and 'href="data:' not in html
        assert html.count("원문 기사 보기") == 3  # the other three items' links only
