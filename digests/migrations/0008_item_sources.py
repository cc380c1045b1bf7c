"""An item's sources become rows of their own (several for a story told by several outlets);
early posts' category "news" becomes the tech series' older category."""
import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

SOURCE_PERMS = ["add_itemsource", "view_itemsource", "change_itemsource", "delete_itemsource"]


def _snapshot_with_sources(snapshot):
    if not snapshot or "items" not in snapshot:
        return snapshot
    for item in snapshot["items"]:
        if "sources" not in item:
            url = item.pop("source_url", "") or ""
            name = item.pop("source_name", "") or ""
            item["sources"] = [{"url": url, "name": name}] if url else []
    return snapshot


def _snapshot_with_source_url(snapshot):
    if not snapshot or "items" not in snapshot:
        return snapshot
    for item in snapshot["items"]:
        sources = item.pop("sources", None) or []
        item["source_url"] = sources[0]["url"] if sources else ""
    return snapshot


def forwards(apps, schema_editor):
    NewsItem = apps.get_model("digests", "NewsItem")
    ItemSource = apps.get_model("digests", "ItemSource")
    Digest = apps.get_model("digests", "Digest")
    Series = apps.get_model("digests", "Series")
    ItemSource.objects.bulk_create(
        ItemSource(news_item_id=pk, position=0, url=url, name=name)
        for pk, url, name in NewsItem.objects.exclude(source_url="").values_list("pk", "source_url", "source_name")
        .iterator()
    )
    for digest in Digest.objects.exclude(live_snapshot=None, generated_snapshot=None).iterator():
        digest.live_snapshot = _snapshot_with_sources(digest.live_snapshot)
        digest.generated_snapshot = _snapshot_with_sources(digest.generated_snapshot)
        digest.save(update_fields=["live_snapshot", "generated_snapshot"])
    tech = Series.objects.filter(slug="tech").first()
    if tech is None:
        return
    tech.other_categories = "news"
    tech.save(update_fields=["other_categories"])
    # A series an earlier import made for the early posts: its digests join tech, keeping their category.
    news = Series.objects.filter(jekyll_category="news").exclude(pk=tech.pk).first()
    if news is not None:
        taken = set(Digest.objects.filter(series=tech).values_list("date", flat=True))
        movable = Digest.objects.filter(series=news).exclude(date__in=taken)
        movable.update(series=tech, category="news")
        if not Digest.objects.filter(series=news).exists():
            news.delete()


def grant_source_rights(apps, schema_editor):
    """Whoever may edit an item may edit its sources (the roles of 0003)."""
    app_config = apps.get_app_config("digests")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="digests", codename__in=SOURCE_PERMS))
    for group in Group.objects.filter(permissions__codename="change_newsitem",
                                      permissions__content_type__app_label="digests"):
        group.permissions.add(*perms)


def backwards(apps, schema_editor):
    NewsItem = apps.get_model("digests", "NewsItem")
    ItemSource = apps.get_model("digests", "ItemSource")
    Digest = apps.get_model("digests", "Digest")
    for source in ItemSource.objects.filter(position=0).iterator():
        NewsItem.objects.filter(pk=source.news_item_id).update(source_url=source.url, source_name=source.name)
    for digest in Digest.objects.exclude(live_snapshot=None, generated_snapshot=None).iterator():
        digest.live_snapshot = _snapshot_with_source_url(digest.live_snapshot)
        digest.generated_snapshot = _snapshot_with_source_url(digest.generated_snapshot)
        digest.save(update_fields=["live_snapshot", "generated_snapshot"])


class Migration(migrations.Migration):
    dependencies = [("digests", "0007_newsitem_tags_prefetched"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.CreateModel(
            name="ItemSource",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("url", models.URLField(max_length=2000)),
                ("name", models.CharField(blank=True, help_text="The outlet, e.g. TechCrunch", max_length=200)),
                ("entry", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="+", to="digests.feedentry")),
                ("news_item", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sources",
                                                to="digests.newsitem")),
            ],
            options={"ordering": ["position", "id"]},
        ),
        migrations.AddField(
            model_name="series",
            name="other_categories",
            field=models.CharField(blank=True, max_length=200, help_text=(
                "Space-separated categories of the series' older posts, e.g. “news”; they keep their URLs")),
        ),
        migrations.AddField(
            model_name="digest",
            name="category",
            field=models.CharField(blank=True, help_text="Empty: the series' category", max_length=100),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(grant_source_rights, migrations.RunPython.noop),
    ]
