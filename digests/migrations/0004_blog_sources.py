"""Seed each series with the blog's feeds."""
from django.db import migrations

SOURCES = {
    "tech": [
        ("GeekNews", "http://feeds.feedburner.com/geeknews-feed", 1.2),
        ("Google News KR IT", "https://news.google.com/rss/search?q=IT&hl=ko&gl=KR&ceid=KR:ko", 1.0),
        ("Hacker News", "https://news.ycombinator.com/rss", 1.0),
        ("TechCrunch", "https://techcrunch.com/feed/", 1.0),
        ("The Verge", "https://www.theverge.com/rss/index.xml", 1.0),
    ],
    "entertainment": [
        ("Google News KR 연예", "https://news.google.com/rss/search?q=%EC%97%B0%EC%98%88&hl=ko&gl=KR&ceid=KR:ko", 1.2),
        ("Variety", "https://variety.com/feed/", 1.0),
        ("Deadline", "https://deadline.com/feed/", 1.0),
        ("The Hollywood Reporter", "https://www.hollywoodreporter.com/feed/", 1.0),
    ],
}


def create_sources(apps, schema_editor):
    Series = apps.get_model("digests", "Series")
    Source = apps.get_model("digests", "Source")
    for slug, sources in SOURCES.items():
        series = Series.objects.filter(slug=slug).first()
        if series is None:
            continue
        for name, url, weight in sources:
            Source.objects.get_or_create(series=series, url=url, defaults={"name": name, "weight": weight})


def remove_sources(apps, schema_editor):
    Source = apps.get_model("digests", "Source")
    Source.objects.filter(url__in=[url for sources in SOURCES.values() for _, url, _ in sources]).delete()


class Migration(migrations.Migration):
    dependencies = [("digests", "0003_roles")]
    operations = [migrations.RunPython(create_sources, remove_sources)]
