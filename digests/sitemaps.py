"""sitemap.xml: the home page, each series page and every live digest at its permalink."""
from django.contrib.sitemaps import Sitemap

from .models import Series
from .views import live_digests


class DigestSitemap(Sitemap):
    changefreq = "weekly"
    limit = 2000

    def items(self):
        # The snapshots stay in the database: a sitemap needs the address and a date only.
        return live_digests().defer("live_snapshot", "generated_snapshot", "provenance")

    def location(self, digest):
        return digest.get_absolute_url()

    def lastmod(self, digest):
        # The last correction readers got, not the first publication.
        return digest.live_modified_at


class SectionSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["/", *(f"/{s.jekyll_category}/" for s in Series.objects.order_by("slug"))]

    def location(self, path):
        return path


sitemaps = {"sections": SectionSitemap, "digests": DigestSitemap}
