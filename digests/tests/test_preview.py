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
    assert "### " in page and "Download" in page


def test_diff_against_the_generated_draft(client, editor):
    digest = DigestFactory()
    digest.generated_snapshot = digest_snapshot(digest)
    digest.save()
    client.force_login(editor)
    url = reverse("admin:digests_digest_diff", args=[digest.pk])
    assert "No changes: the text is exactly the generated draft." in client.get(url).content.decode()
    item = digest.items.get(position=1)
    old = item.summary
    item.summary = "편집자가 고친 요약"
    item.save()
    html = client.get(url).content.decode()
    assert f'<span class="diff-del">-{old}</span>' in html
    assert '<span class="diff-add">+편집자가 고친 요약</span>' in html
    assert "no generated draft" in client.get(reverse("admin:digests_digest_diff",
                                                      args=[DigestFactory(items=0).pk])).content.decode()


def test_share_link_works_without_an_account(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:digests_digest_share", args=[digest.pk]), follow=True)
    url = preview.share_url(digest)
    assert "Share this preview link" in response.content.decode()
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
    assert response.status_code == 404 and "not valid" in response.content.decode()
    settings.NEWSROOM_PREVIEW_MAX_AGE = -1
    response = client.get(reverse("admin:digests_digest_shared", args=[token]))
    assert response.status_code == 410 and "expired" in response.content.decode()
    with pytest.raises(preview.PreviewLinkError, match="expired"):
        preview.digest_from_token(token)


def test_share_link_of_a_deleted_digest(client):
    digest = DigestFactory(items=0)
    token = preview.share_token(digest)
    digest.delete()
    response = client.get(reverse("admin:digests_digest_shared", args=[token]))
    assert response.status_code == 404 and "no longer exists" in response.content.decode()
