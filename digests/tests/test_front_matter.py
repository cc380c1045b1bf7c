"""front_matter: file names, dates in the series' time zone, tags and column limits, each refusal naming its fix."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from digests import jekyll
from digests.front_matter import ImportRefused, check_lengths, date_and_slug, file_date, tags
from digests.models import Series

SEOUL = ZoneInfo("Asia/Seoul")


def post(title="[2026-03-01] 글로벌 IT 뉴스 Top 5", date=dt.datetime(2026, 3, 1, 13, tzinfo=SEOUL), items=()):
    return jekyll.Post(title=title, date=date, items=list(items))


class FrontMatterTests(SimpleTestCase):
    def setUp(self):
        self.warnings = []
        self.series = Series(slug="tech", timezone="Asia/Seoul", post_slug="daily-it-news")

    def warn(self, message, line=1):
        self.warnings.append(str(message))

    def test_file_date_is_none_for_a_name_without_a_real_date(self):
        self.assertEqual(file_date("2026-03-01-daily-it-news.md"), dt.date(2026, 3, 1))
        self.assertIsNone(file_date("2026-02-30-daily-it-news.md"))
        self.assertIsNone(file_date("notes.md"))

    def test_the_file_name_gives_date_and_slug_and_a_differing_front_matter_date_is_a_warning(self):
        self.assertEqual(date_and_slug(post(), "2026-03-01-daily-it-news.md", self.series, self.warn),
                         (dt.date(2026, 3, 1), "daily-it-news"))
        self.assertEqual(self.warnings, [])
        # 23:30 in UTC is already the next day in Seoul: the series' day counts.
        late = post(date=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc))
        self.assertEqual(date_and_slug(late, "2026-03-01-x.md", self.series, self.warn), (dt.date(2026, 3, 1), "x"))
        self.assertIn("+0000", self.warnings[0])
        self.assertIn("2026-03-02", self.warnings[1])

    def test_a_name_without_a_date_takes_the_front_matter_date_and_the_series_slug(self):
        self.assertEqual(date_and_slug(post(), "notes.md", self.series, self.warn),
                         (dt.date(2026, 3, 1), "daily-it-news"))
        self.assertEqual(len(self.warnings), 1)

    def test_an_impossible_date_in_the_file_name_is_refused_with_the_fix(self):
        with self.assertRaisesRegex(ImportRefused, "2026-02-30.*<YYYY-MM-DD>-<slug>.md"):
            date_and_slug(post(), "2026-02-30-daily-it-news.md", self.series, self.warn)

    def test_tags_as_a_list_a_string_or_nothing(self):
        self.assertEqual(tags(["AI", "로봇"], self.warn), ["AI", "로봇"])
        self.assertEqual(self.warnings, [])
        self.assertEqual(tags(None, self.warn), [])
        self.assertEqual(tags("로봇 AI 로봇", self.warn), ["로봇", "AI"])
        self.assertEqual(len(self.warnings), 2, "written as a string, and not sorted once each")

    def test_tags_that_cannot_be_stored_are_refused(self):
        with self.assertRaisesRegex(ImportRefused, "tags: \\[AI, 로봇\\]"):
            tags({"a": 1}, self.warn)
        with self.assertRaisesRegex(ImportRefused, "100"):
            tags(["x" * 101], self.warn)

    def test_check_lengths_names_the_field_too_long(self):
        item = jekyll.Item(title="제목", summary="요약", sources=[jekyll.Source("https://example.com/" + "a" * 2000)],
                           insights=[jekyll.Insight("라벨", "내용")])
        check_lengths(post(items=[jekyll.Item(title="제목", summary="요약")]), "daily-it-news")
        with self.assertRaisesRegex(ImportRefused, "항목 1의 출처 URL 1.*2020"):
            check_lengths(post(items=[item]), "daily-it-news")
