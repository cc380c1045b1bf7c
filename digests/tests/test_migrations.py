"""Migrations that move data: an item's one source becomes its first ItemSource, snapshots follow."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Transactional (migrations cannot run in the test's transaction): like the live-server tests, it
# runs after the others, and makes the seeded rows it needs itself.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("digests", "0007_newsitem_tags_prefetched")]
AFTER = [("digests", "0009_remove_newsitem_source_url")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def tech_series(Series):
    """The tech series at that migration's state (a live-server test before may have flushed what migrations seeded)."""
    tech, _ = Series.objects.get_or_create(slug="tech", defaults={
        "name": "글로벌 IT 뉴스", "jekyll_category": "tech", "post_slug": "daily-it-news",
        "title_template": "[{date}] 글로벌 IT 뉴스 Top 5"})
    return tech


def test_source_url_becomes_an_item_source_and_early_news_joins_tech():
    apps = migrate(BEFORE)
    Series = apps.get_model("digests", "Series")
    Digest = apps.get_model("digests", "Digest")
    NewsItem = apps.get_model("digests", "NewsItem")
    tech = tech_series(Series)
    news = Series.objects.create(slug="news", name="news", jekyll_category="news", post_slug="daily-it-news",
                                 title_template="[{date}] 오늘의 글로벌 IT 뉴스 Top 5")
    snapshot = {"title": "t", "date": "2025-12-01T13:00:00+09:00", "categories": "news", "items": [
        {"title": "a", "summary": "s", "source_url": "https://a.example/1", "insights": []},
        {"title": "b", "summary": "s", "source_url": "", "insights": []}]}
    early = Digest.objects.create(series=news, date="2025-12-01", slug="daily-it-news", title="t",
                                  live_snapshot=snapshot, status="published")
    NewsItem.objects.create(digest=early, position=0, title="a", source_url="https://a.example/1",
                            source_name="A")
    NewsItem.objects.create(digest=early, position=1, title="b", source_url="")
    try:
        apps = migrate(AFTER)
        Digest = apps.get_model("digests", "Digest")
        ItemSource = apps.get_model("digests", "ItemSource")
        early = Digest.objects.get(pk=early.pk)
        assert (early.series_id, early.category) == (tech.pk, "news")
        assert not apps.get_model("digests", "Series").objects.filter(slug="news").exists()
        assert list(ItemSource.objects.values_list("news_item__position", "position", "url", "name")) == [
            (0, 0, "https://a.example/1", "A")]
        assert [item["sources"] for item in early.live_snapshot["items"]] == [
            [{"url": "https://a.example/1", "name": ""}], []]
        assert all("source_url" not in item for item in early.live_snapshot["items"])
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_live_digests_get_the_address_they_are_published_at():
    apps = migrate([("digests", "0012_site_version_and_search")])
    Series = apps.get_model("digests", "Series")
    Digest = apps.get_model("digests", "Digest")
    tech = tech_series(Series)
    snapshot = {"title": "t", "date": "2025-12-01T13:00:00+09:00", "categories": "news", "items": []}
    early = Digest.objects.create(series=tech, date="2025-12-01", slug="daily-it-news", category="news", title="t",
                                  live_snapshot=snapshot, status="published")
    current = Digest.objects.create(series=tech, date="2025-12-02", slug="daily-it-news", title="t",
                                    live_snapshot={**snapshot, "categories": "tech"}, status="draft")
    draft = Digest.objects.create(series=tech, date="2025-12-03", slug="daily-it-news", title="t")
    try:
        apps = migrate([("digests", "0014_live_addresses_data")])
        Digest = apps.get_model("digests", "Digest")
        rows = Digest.objects.filter(pk__in=[early.pk, current.pk, draft.pk]).order_by("date").values_list(
            "live_series_id", "live_date", "live_slug", "live_category")
        assert [(s, str(d) if d else None, slug, c) for s, d, slug, c in rows] == [
            (tech.pk, "2025-12-01", "daily-it-news", "news"), (tech.pk, "2025-12-02", "daily-it-news", "tech"),
            (None, None, "", "")]
        view = apps.get_model("auth", "Permission").objects.get(codename="view_blogpost")
        editor = apps.get_model("auth", "Group").objects.filter(name="Editor").first()
        assert editor is None or view in editor.permissions.all()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_live_digests_keep_the_time_readers_last_got_a_new_version():
    import datetime as dt

    apps = migrate([("digests", "0016_beat_search_sweep")])
    Series = apps.get_model("digests", "Series")
    Digest = apps.get_model("digests", "Digest")
    ReviewEvent = apps.get_model("digests", "ReviewEvent")
    tech = tech_series(Series)
    snapshot = {"title": "t", "date": "2025-12-01T13:00:00+09:00", "categories": "tech", "items": []}
    corrected = Digest.objects.create(series=tech, date="2025-12-01", slug="daily-it-news", title="t",
                                      live_snapshot=snapshot, status="published")
    draft = Digest.objects.create(series=tech, date="2025-12-02", slug="daily-it-news", title="t")
    first, second = (dt.datetime(2025, 12, 1, 4, 0, tzinfo=dt.timezone.utc),
                     dt.datetime(2025, 12, 3, 4, 0, tzinfo=dt.timezone.utc))
    for when, action in ((first, "publish"), (second, "import"), (second + dt.timedelta(hours=1), "comment")):
        event = ReviewEvent.objects.create(digest=corrected, action=action)
        ReviewEvent.objects.filter(pk=event.pk).update(created_at=when)
    try:
        apps = migrate([("digests", "0017_live_changed_at")])
        Digest = apps.get_model("digests", "Digest")
        assert Digest.objects.get(pk=corrected.pk).live_changed_at == second  # the last publication or import
        assert Digest.objects.get(pk=draft.pk).live_changed_at is None
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
