"""Public reader site routes: digests at their Jekyll permalinks, lists, feeds, sitemap."""
from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from . import views
from .cache import cache_page
from .feeds import DigestFeed
from .sitemaps import sitemaps

app_name = "digests"

feed = cache_page(DigestFeed())

urlpatterns = [
    path("", views.home, name="home"),
    path("feed.xml", feed, name="feed"),
    path("sitemap.xml", cache_page(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("search/", views.search, name="search"),
    path("tags/<path:tag>/", views.tag, name="tag"),
    re_path(r"^archive/(?P<year>\d{4})/(?P<month>\d{2})/$", views.archive, name="archive"),
    # Jekyll's default permalink, /:categories/:year/:month/:day/:title.html, so links carry over.
    re_path(
        r"^(?P<category>[-\w]+)/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[-\w]+)\.html$",
        views.digest_detail,
        name="digest",
    ),
    path("<slug:category>/feed.xml", feed, name="series_feed"),
    path("<slug:category>/", views.category, name="category"),
]
