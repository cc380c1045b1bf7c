"""Atom feeds like jekyll-feed's: the whole site and one per series, live digests only, full content.

Entry ids and links are the ones jekyll-feed gives the blog's posts (the post's URL without
`.html` under the blog's `url`, and the absolute post URL), so a reader moving from the blog's
feed to ours sees no entry twice.
"""
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from .markdown import plain_text
from .models import Series
from .views import live_digests, snapshot_date, snapshot_tags

FEED_SIZE = 20


class AtomWithContent(Atom1Feed):
    """Atom with <content type="html" xml:base="…"> per entry, as jekyll-feed writes it."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html", "xml:base": item["link"]})


class DigestFeed(Feed):
    feed_type = AtomWithContent

    def get_object(self, request, category=None):
        return get_object_or_404(Series, jekyll_category=category) if category else None

    def title(self, series):
        return f"{settings.SITE_NAME} · {series.name}" if series else settings.SITE_NAME

    def subtitle(self, series):
        return settings.SITE_DESCRIPTION

    def link(self, series):
        return settings.SITE_URL + (f"/{series.jekyll_category}/" if series else "/")

    def feed_url(self, series):
        return settings.SITE_URL + (f"/{series.jekyll_category}/feed.xml" if series else "/feed.xml")

    def feed_guid(self, series):
        return self.feed_url(series)

    def items(self, series):
        digests = live_digests()
        if series is not None:
            digests = digests.in_live_series(series)
        return digests[:FEED_SIZE]

    def item_title(self, digest):
        return digest.live_snapshot["title"]

    def item_link(self, digest):
        return settings.SITE_URL + digest.get_absolute_url()

    def item_guid(self, digest):
        # jekyll-feed: {{ post.id | absolute_url }}, the permalink without its extension.
        return settings.BLOG_URL + digest.get_absolute_url().removesuffix(".html")

    item_guid_is_permalink = False

    def item_description(self, digest):
        items = digest.live_snapshot["items"]
        return plain_text(items[0]["summary"]) if items else ""

    def item_pubdate(self, digest):
        return snapshot_date(digest)

    def item_updateddate(self, digest):
        # The last correction, not only the first publication (jekyll-feed's last_modified_at).
        published = snapshot_date(digest)
        if digest.live_modified_at is None:
            return published
        return max(published, timezone.localtime(digest.live_modified_at, digest.live_series.tzinfo))

    def item_categories(self, digest):
        return [digest.live_series.jekyll_category, *snapshot_tags(digest.live_snapshot)]

    def item_extra_kwargs(self, digest):
        return {"content_html": render_to_string("digests/_post_body.html", {"post": digest.live_snapshot})}
