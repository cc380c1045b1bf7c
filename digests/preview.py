"""Previews of a digest: its Post (shown by the reader site's template), the exact Jekyll Markdown, the diff against the draft, and signed share links."""
import difflib

from django.conf import settings
from django.core import signing
from django.urls import reverse

from . import jekyll
from .posts import digest_to_post, snapshot_to_post, with_content

SALT = "digests.preview.share"


class PreviewLinkError(Exception):
    """The shared link is broken, forged or expired; the message says which."""


def share_token(digest):
    return signing.TimestampSigner(salt=SALT).sign_object({"d": digest.pk})


def share_url(digest):
    return settings.SITE_URL + reverse("admin:digests_digest_shared", args=[share_token(digest)])


def digest_from_token(token, max_age=None):
    """The digest a share link points to; PreviewLinkError when it expired or was tampered with."""
    from .models import Digest

    max_age = settings.NEWSROOM_PREVIEW_MAX_AGE if max_age is None else max_age
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise PreviewLinkError("This preview link has expired: ask the editor for a new one.") from exc
    except signing.BadSignature as exc:
        raise PreviewLinkError("This preview link is not valid: check that it was copied completely.") from exc
    digest = with_content(Digest.objects.filter(pk=data.get("d"))).first()
    if digest is None:
        raise PreviewLinkError("The digest of this preview link no longer exists.")
    return digest


def current_post(digest):
    return digest_to_post(digest)


def markdown_text(digest):
    """The exact Jekyll file the export would write for the digest's current content."""
    return jekyll.render(current_post(digest))


def filename(digest):
    post = current_post(digest)
    return jekyll.post_filename(post.date.date(), digest.slug)


def draft_diff(digest):
    """Unified diff lines of the generated draft's Markdown against the current one; None without a draft."""
    if not digest.generated_snapshot:
        return None
    before = jekyll.render(snapshot_to_post(digest.generated_snapshot)).splitlines()
    after = markdown_text(digest).splitlines()
    return list(difflib.unified_diff(before, after, "generated draft", "current text", lineterm="", n=2))
