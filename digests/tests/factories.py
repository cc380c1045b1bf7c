"""Factories for test data: complete digests by default, as the series asks."""
import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from digests.models import Digest, Insight, ItemSource, NewsItem, Series


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; UserFactory(role="Reviewer") puts them in that role's group. Password: pw."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"series{n}")
    name = factory.LazyAttribute(lambda s: s.slug.title())
    jekyll_category = factory.LazyAttribute(lambda s: s.slug)
    post_slug = factory.LazyAttribute(lambda s: f"daily-{s.slug}-news")
    title_template = "[{date}] 테스트 뉴스 Top 5"


class DigestFactory(factory.django.DjangoModelFactory):
    """A digest with the series' number of items, each with its number of insights."""

    class Meta:
        model = Digest
        skip_postgeneration_save = True

    series = factory.LazyFunction(lambda: Series.objects.get(slug="tech"))
    date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    slug = factory.LazyAttribute(lambda d: d.series.post_slug)
    title = factory.LazyAttribute(lambda d: d.series.title_for(d.date))
    footer = factory.LazyAttribute(lambda d: d.series.footer)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create or extracted == 0:
            return
        count = self.series.item_count if extracted is None else extracted
        for position in range(count):
            NewsItemFactory(digest=self, position=position, insights=self.series.insight_count)


class NewsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsItem
        skip_postgeneration_save = True

    digest = factory.SubFactory(DigestFactory, items=0)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"뉴스 제목 {n}")
    summary = factory.Sequence(lambda n: f"요약 문단 {n}입니다. 중요한 소식을 전합니다.")
    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        """NewsItemFactory(sources=["https://a.example/1", ...]); by default one Example source."""
        if not create:
            return
        urls = [f"https://example.com/news/{self.pk}?ref=rss"] if extracted is None else extracted
        ItemSource.objects.bulk_create(
            ItemSource(news_item=self, position=n, url=url, name="Example") for n, url in enumerate(urls))

    @factory.post_generation
    def insights(self, create, extracted, **kwargs):
        if not create:
            return
        for position in range(2 if extracted is None else extracted):
            Insight.objects.create(news_item=self, position=position, label=f"시사점 {position + 1}", text="의미 있는 변화입니다.")
