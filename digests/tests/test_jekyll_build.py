"""Build rendered posts with Debian's real jekyll and check that tricky text shows literally."""

import html
import os
import re
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
        "- 목록처럼 보이는 줄",
        "1. 번호처럼 보이는 줄",
        "<br>",
        "**📌 요약**\n",  # a header look-alike inside the summary
        "{{ 제목 }} 안의 {% 태그 %} #",
        "{{ 라벨 }}*별*:",
        "{% 설명 %} 본문.",
        "**가짜:** 라벨 아님",
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

    # The file Jekyll built from is still the one the importer reads back.
    assert parse(render(post)) == post
