"""Create the blog's two series: tech and entertainment."""
from django.db import migrations

FOOTER = "이 포스팅은 Gemini AI가 제공한 뉴스 데이터를 기반으로 작성되었습니다."

SERIES = [
    {
        "slug": "tech",
        "name": "글로벌 IT 뉴스",
        "jekyll_category": "tech",
        "post_slug": "daily-it-news",
        "title_template": "[{date}] 글로벌 IT 뉴스 Top 5",
    },
    {
        "slug": "entertainment",
        "name": "연예/문화 뉴스",
        "jekyll_category": "entertainment",
        "post_slug": "daily-entertainment-news",
        "title_template": "[{date}] 연예/문화 뉴스 Top 5",
    },
]


def create_series(apps, schema_editor):
    Series = apps.get_model("digests", "Series")
    for data in SERIES:
        Series.objects.update_or_create(
            slug=data["slug"],
            defaults={
                **data,
                "item_count": 5,
                "insight_count": 2,
                "layout": "default",
                "footer": FOOTER,
                "timezone": "Asia/Seoul",
            },
        )


def remove_series(apps, schema_editor):
    apps.get_model("digests", "Series").objects.filter(slug__in=[s["slug"] for s in SERIES], digests__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("digests", "0001_initial")]
    operations = [migrations.RunPython(create_series, remove_series)]
