"""Safety: text the blog's kramdown would run as HTML is named, plain Markdown passes."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from digests import jekyll
from digests.safety import post_problems


def post(**item):
    fields = {"title": "제목", "summary": "요약 **굵게** [링크](https://example.com/a?b=(c))", "sources": [jekyll.Source("https://example.com/x")],
              "insights": [jekyll.Insight("라벨", "내용 a < b, 3 > 2")]}
    fields.update(item)
    return jekyll.Post(title="[2026-11-29] 글로벌 IT 뉴스 Top 5", date=dt.datetime(2026, 11, 29, 12, tzinfo=ZoneInfo("Asia/Seoul")),
                       items=[jekyll.Item(**fields)], footer="푸터<br>")


class PostProblemsTests(SimpleTestCase):
    def test_plain_markdown_passes(self):
        self.assertEqual(post_problems(post()), [])

    def test_each_unsafe_place_is_named(self):
        cases = [
            ({"summary": "요약 <img src=x onerror=alert(1)> 끝"}, "item 1's summary contains raw HTML '<img src=x onerror=alert(1)>'"),
            ({"title": "<script>alert(1)</script>"}, "item 1's title contains raw HTML '<script>'"),
            ({"summary": "[클릭](javascript:alert(1))"}, "item 1's summary links to a javascript:"),
            ({"summary": "![x](data:text/html;base64,AAAA)"}, "item 1's summary links to a javascript:, data:"),
            ({"sources": [jekyll.Source("javascript:alert(1)")]}, "item 1 source URL 'javascript:alert(1)' is not an http(s) address"),
            ({"insights": [jekyll.Insight("<svg onload=alert(1)>", "x")]}, "item 1's insight 1 label contains raw HTML"),
            ({"insights": [jekyll.Insight("", "<!-- hidden -->")]}, "item 1's insight 1 contains raw HTML"),
            ({"summary": "<javascript:alert(1)>"}, "item 1's summary contains raw HTML"),
        ]
        for fields, expected in cases:
            with self.subTest(fields=fields):
                problems = post_problems(post(**fields))
                self.assertEqual(len(problems), 1, problems)
                self.assertIn(expected, problems[0])

    def test_digest_title_is_checked(self):
        p = post()
        p.title = "<b onmouseover=alert(1)>x</b>"
        self.assertIn("the title contains raw HTML", post_problems(p)[0])
