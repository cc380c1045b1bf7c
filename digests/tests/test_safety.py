"""Safety: HTML and refused links are named with their field, plain Markdown passes."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from django.utils import translation

from digests import jekyll
from digests.safety import post_problems


def post(**item):
    fields = {"title": "제목", "summary": "요약 **굵게** [링크](https://example.com/a?b=(c)) `<b>` a < b",
              "sources": [jekyll.Source("https://example.com/x")],
              "insights": [jekyll.Insight("라벨", "내용 a < b, 3 > 2 {: x} ![i](https://x.png)")]}
    fields.update(item)
    return jekyll.Post(title="[2026-11-29] 글로벌 IT 뉴스 Top 5", date=dt.datetime(2026, 11, 29, 12, tzinfo=ZoneInfo("Asia/Seoul")),
                       items=[jekyll.Item(**fields)], footer="푸터 <3")


class PostProblemsTests(SimpleTestCase):
    def setUp(self):
        # The refusals as written (English msgids); their Korean is test_i18n's and test_workflow's business.
        self.enterContext(translation.override("en"))

    def test_plain_markdown_passes(self):
        # Attribute lists and images are not refused: the exporter writes them so that kramdown shows text.
        self.assertEqual(post_problems(post()), [])

    def test_each_unsafe_place_is_named(self):
        cases = [
            ({"summary": "요약 <img src=x onerror=alert(1)> 끝"}, "item 1's summary contains raw HTML '<img src=x onerror=alert(1)>'"),
            ({"title": "<script>alert(1)</script>"}, "item 1's title contains raw HTML '<script>'"),
            ({"title": "x <img src=x onerror=alert(1)//"}, "item 1's title contains raw HTML '<img src=x onerror=alert(1)//'"),
            ({"summary": "[클릭](javascript:alert(1))"}, "item 1's summary links to 'javascript:alert(1)': a link must"),
            ({"summary": "[t](java&#9;script:alert(1))"}, "item 1's summary links to 'java&#9;script:alert(1)'"),
            ({"summary": "[c](javascript&colon;alert(1))"}, "item 1's summary links to 'javascript&colon;alert(1)'"),
            ({"summary": "![x](data:text/html;base64,AAAA)"}, "item 1's summary links to 'data:text/html;base64,AAAA'"),
            ({"sources": [jekyll.Source("javascript:alert(1)")]}, "item 1 source URL 'javascript:alert(1)' is not an http(s) address"),
            ({"sources": [jekyll.Source("https://ok.example"), jekyll.Source("java&#9;script:x")]}, "item 1 source URL 'java&#9;script:x'"),
            ({"insights": [jekyll.Insight("<svg onload=alert(1)>", "x")]}, "item 1's insight 1 label contains raw HTML"),
            ({"insights": [jekyll.Insight("", "<!-- hidden -->")]}, "item 1's insight 1 contains raw HTML"),
            ({"summary": "<javascript:alert(1)>"}, "item 1's summary contains raw HTML"),
        ]
        for fields, expected in cases:
            with self.subTest(fields=fields):
                problems = post_problems(post(**fields))
                self.assertEqual(len(problems), 1, problems)
                self.assertIn(expected, problems[0])

    def test_a_character_reference_naming_no_character_is_named_in_every_field(self):
        # Some stop kramdown and so the blog's whole build (a test of test_jekyll_site_build builds one).
        for reference in ["&#xD800;", "&#55357;", "&#x110000;", "&#99999999;", "&#0;", "&#x1B;", "&#128;"]:
            with self.subTest(reference=reference):
                for fields, where in [({"title": f"제목 {reference}"}, "item 1's title"),
                                      ({"summary": f"요약 {reference}"}, "item 1's summary"),
                                      ({"insights": [jekyll.Insight(reference, "x")]}, "item 1's insight 1 label"),
                                      ({"insights": [jekyll.Insight("", reference)]}, "item 1's insight 1")]:
                    problems = post_problems(post(**fields))
                    self.assertEqual(problems, [f"{where} contains '{reference}', which names no character the blog "
                                                "can show: write the character itself, or remove it"])
        p = post()
        p.title, p.footer = "[2026-11-29] &#xDFFF;", "맺음말 &#1;"
        self.assertEqual([problem.split(" contains")[0] for problem in post_problems(p)], ["the title", "the footer"])
        # Characters, and references to them, pass.
        self.assertEqual(post_problems(post(summary="&#169; &#x1F600; &#9; &#10; &amp; &nbsp; &#xAC00;")), [])

    def test_digest_title_and_footer_are_checked(self):
        p = post()
        p.title, p.footer = "x <img src=x onerror=alert(1)//", "[l](javascript:x)"
        self.assertEqual(post_problems(p), [
            "the title contains raw HTML '<img src=x onerror=alert(1)//': write Markdown only",
            "the footer links to 'javascript:x': a link must point to an http(s) or mailto address",
        ])
