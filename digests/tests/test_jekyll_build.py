"""Build rendered posts with Debian's real jekyll: tricky text shows literally, lists stay lists, and the
blog's other post shapes (FORMAT.md) come out of the exporter showing the same."""

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path
import shutil
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from digests.jekyll import Insight, Item, Post, Source, parse, permalink, post_filename, render

pytestmark = pytest.mark.jekyll

SEOUL = ZoneInfo("Asia/Seoul")
NASTY_TITLE = 'C# "따옴표": #1 {{ site.title }} {% raw %} 제목'
SUMMARY = "\n".join(
    [
        "사이트 변수 {{ site.title }} 와 태그 {% include x %} 는 글자 그대로 보여야 합니다.",
        "---",
        "# 해시로 시작하는 줄",
        "> 인용처럼 보이는 줄",
        "- 목록처럼 보이는 줄",
        "1. 번호처럼 보이는 줄",
        "<br>",
        "**📌 요약**",
        '{{ "{{" }} 이미 이스케이프처럼 보이는 글',
    ]
)


def jekyll_executable() -> str:
    exe = shutil.which("jekyll")
    if exe:
        return exe
    if os.environ.get("CI"):
        pytest.fail("jekyll is not installed on this CI machine: apt-get install jekyll")
    pytest.skip("Debian's jekyll is not installed here: apt-get install jekyll (then rerun)")


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def nasty_post() -> Post:
    return Post(
        title=NASTY_TITLE,
        date=datetime(2026, 2, 3, 13, 49, 53, tzinfo=SEOUL),
        categories="tech",
        items=[
            Item(
                title="{{ 제목 }} 안의 {% 태그 %} #",
                summary=SUMMARY,
                insights=[
                    Insight("{{ 라벨 }}*별*", "{% 설명 %} 본문."),
                    Insight("", "---"),
                    Insight("", "**가짜:** 라벨 아님"),
                ],
                sources=[Source("https://example.com/a_(b)?q={{x}}&r=1")],
            ),
            Item(title="둘째 기사 C#", summary="평범한 요약.", insights=[], sources=[Source("https://example.com/9b(")]),
            Item(title="셋째 기사", summary="링크 없는 기사.", insights=[], sources=[]),
        ],
        footer="맺음말 {{ page.url }} 그대로.",
        extra={"tags": ["AI", "{{ 태그 }}"]},
    )


def test_jekyll_build_shows_tricky_text_literally(tmp_path):
    exe = jekyll_executable()
    src = tmp_path / "site"
    (src / "_layouts").mkdir(parents=True)
    (src / "_posts").mkdir()
    (src / "_config.yml").write_text(
        # The blog sets its time zone; Jekyll takes permalink dates in it.
        "title: SITE-TITLE-MARKER\nmarkdown: kramdown\ntimezone: Asia/Seoul\n",
        encoding="utf-8",
    )
    (src / "_layouts" / "default.html").write_text(
        "<html><body><h1>{{ page.title }}</h1>\n{{ content }}\n</body></html>\n", encoding="utf-8"
    )
    post = nasty_post()
    # Just after midnight in Seoul is still the previous day in UTC.
    early = Post(
        title="[2026-02-04] 연예/문화 뉴스 Top 5",
        date=datetime(2026, 2, 4, 0, 30, 0, tzinfo=SEOUL),
        categories="entertainment",
        items=[Item("기사", "요약.", [Insight("라벨", "설명.")], [Source("https://example.com/e")])],
    )
    for p, slug in [(post, "daily-it-news"), (early, "daily-entertainment-news")]:
        (src / "_posts" / post_filename(p.date, slug)).write_text(render(p), encoding="utf-8")

    dest = tmp_path / "_site"
    result = subprocess.run(
        [exe, "build", "--safe", "-q", "-s", str(src), "-d", str(dest)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env={**os.environ, "JEKYLL_ENV": "production"},
    )
    assert result.returncode == 0, result.stdout + result.stderr

    page_path = dest / permalink("tech", post.date, "daily-it-news").lstrip("/")
    assert page_path.is_file(), sorted(str(p.relative_to(dest)) for p in dest.rglob("*.html"))
    assert (dest / permalink("entertainment", early.date, "daily-entertainment-news").lstrip("/")).is_file()

    page = page_path.read_text(encoding="utf-8")
    text = visible_text(page)
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert html.unescape(heading) == NASTY_TITLE  # ", :, # and Liquid in the title, literally
    for literal in [
        "{{ site.title }}",
        "{% include x %}",
        "\n---\n",
        "# 해시로 시작하는 줄",
        "> 인용처럼 보이는 줄",
        "<br>",
        "**📌 요약**\n",  # a header look-alike inside the summary
        "{{ 제목 }} 안의 {% 태그 %} #",
        "{{ 라벨 }}*별*:",
        "{% 설명 %} 본문.",
        "맺음말 {{ page.url }} 그대로.",
        "둘째 기사 C#",
    ]:
        assert literal in text, literal
    # kramdown's smart quotes curl the body's '"' (expected), the braces stay.
    assert re.search(r'\{\{ .\{\{. \}\} 이미 이스케이프처럼 보이는 글', text)
    assert "SITE-TITLE-MARKER" not in text
    assert "—" not in text  # kramdown's em dash for an unescaped ---
    assert "\\" not in text  # no escaping backslash shows
    assert 'href="https://example.com/a_(b)?q={{x}}&amp;r=1"' in page
    assert 'href="https://example.com/9b("' in page  # unbalanced "(" written as <...>
    # A summary's list is a list on the blog (it used to come out as "\\- ..." lines).
    assert "<li>목록처럼 보이는 줄</li>" in page and "<li>번호처럼 보이는 줄" in page
    assert "<strong>가짜:</strong> 라벨 아님" in page  # shows as the label it looks like

    # The file Jekyll built from is still the one the importer reads back.
    assert render(parse(render(post))) == render(post)


SHAPES = ["link-on-br-line", "links-on-one-line", "br-separators", "br-inside-lines", "bullet-summary", "code-span-summary", "label-space-colon",
          "indented-four-spaces", "title-shapes"]
VARIANTS = Path(__file__).resolve().parent / "fixtures" / "jekyll" / "variants"


def markdown_free(text):
    """Text with what kramdown shows of Markdown syntax in a code block taken off (links, marks, rules)."""
    return re.sub(r"[-*#>]|<br>", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))


class Shown(HTMLParser):
    """What a reader gets of a built page's body: its text without blanks, its links, its code blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.links, self.blocks, self.on = [], [], 0, False

    def handle_starttag(self, tag, attrs):
        self.on = self.on or tag == "body"
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        self.blocks += tag == "pre"

    def handle_data(self, data):
        if self.on:
            self.text.append(data)

    @classmethod
    def of(cls, page):
        shown = cls()
        shown.feed(page)
        # Blanks aside: the exporter writes "**label** :" as "**label:**".
        return "".join("".join(shown.text).split()), shown.links, shown.blocks


def test_each_shape_of_the_archive_exports_to_a_post_that_shows_the_same(tmp_path):
    exe = jekyll_executable()
    src = tmp_path / "site"
    (src / "_layouts").mkdir(parents=True)
    (src / "_posts").mkdir()
    (src / "_config.yml").write_text("title: shapes\nmarkdown: kramdown\ntimezone: Asia/Seoul\n", encoding="utf-8")
    (src / "_layouts" / "default.html").write_text("<html><body>{{ content }}</body></html>\n", encoding="utf-8")
    posts = {}
    for n, name in enumerate(SHAPES):
        text = (VARIANTS / f"{name}.md").read_text(encoding="utf-8")
        post = parse(text, name)
        post.date = post.date.replace(day=n + 1)
        text = re.sub(r"(?m)^date: .*$", f"date:   {post.date:%Y-%m-%d %H:%M:%S %z}", text, count=1)
        # The input as the blog has it, and our export of what the importer read, side by side.
        (src / "_posts" / post_filename(post.date, f"input-{name}")).write_text(text, encoding="utf-8")
        (src / "_posts" / post_filename(post.date, f"export-{name}")).write_text(render(post), encoding="utf-8")
        posts[name] = post
    dest = tmp_path / "_site"
    result = subprocess.run([exe, "build", "--safe", "-q", "-s", str(src), "-d", str(dest)],
                            capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    for name, post in posts.items():
        pages = [(dest / permalink("tech", post.date, f"{kind}-{name}").lstrip("/")).read_text(encoding="utf-8")
                 for kind in ("input", "export")]
        (input_text, input_links, input_blocks), (text, links, blocks) = (Shown.of(page) for page in pages)
        assert blocks == 0, name  # never a code block by accident
        assert links == [url for item in post.items for url in item.urls], name
        if name == "indented-four-spaces":
            # kramdown showed the indented input as a code block, Markdown and all; the export reads.
            assert input_blocks == 1 and input_links == [] and "**📌요약**" in input_text
            assert "**" not in text and markdown_free(text) == markdown_free(input_text)
        else:
            assert (text, links) == (input_text, input_links), name
