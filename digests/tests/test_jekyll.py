"""Tests for digests.jekyll: golden round trip, property round trip, importer variants, bad input."""

import ast
import dataclasses
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digests import jekyll
from digests.jekyll import (
    Insight, Item, JekyllFormatError, Post, Source, decode, parse, permalink, post_filename, render,
)

SEOUL = ZoneInfo("Asia/Seoul")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "jekyll"
VARIANTS = FIXTURES / "variants"


def read_variant(name: str) -> Post:
    path = VARIANTS / name
    return parse(decode(path.read_bytes(), name), name)


def messages(post: Post) -> list[tuple[int, str]]:
    return [(w.line, w.message) for w in post.warnings]


# --------------------------------------------------------------------------- golden


def test_golden_round_trip_is_byte_identical(golden_post):
    data = golden_post.read_bytes()
    post = parse(decode(data, "golden.md"), "golden.md")
    assert render(post).encode("utf-8") == data


def test_golden_fields(golden_post):
    post = parse(golden_post.read_text(encoding="utf-8"), "golden.md")
    assert post.warnings == []
    assert post.title == "[2026-02-03] 글로벌 IT 뉴스 Top 5"
    assert post.date == datetime(2026, 2, 3, 13, 49, 53, tzinfo=SEOUL)
    assert post.date.tzinfo == SEOUL
    assert (post.layout, post.categories, post.extra) == ("default", "tech", {})
    assert [item.title for item in post.items] == [
        "일론 머스크의 xAI, 스페이스X에 공식 합류하며 우주 AI 인프라 구축 예고",
        "웨이모, 160억 달러 투자 유치로 로보택시 사업 글로벌 확장 가속화",
        "Show GN: One Ego, Any Model – 멀티 AI 시대를 위한 맥락 지갑",
        "Claude Code가 마이크로소프트 내부에서 급속히 확산 중",
        "AI 정렬 문제: 모델 지능 및 작업 복잡성에 따른 불일치 증폭 연구",
    ]
    first = post.items[0]
    assert first.summary.startswith("일론 머스크의 AI 기업 xAI가 스페이스X에 공식 합류하며,")
    assert first.summary.endswith("첫걸음이 될 것으로 보입니다.")
    assert "\n" not in first.summary
    assert first.insights[0].label == "AI 인프라의 새로운 지평"
    assert first.insights[0].text.startswith("AI 모델 학습 및 운영에 필요한")
    assert [len(item.insights) for item in post.items] == [2, 2, 2, 2, 2]
    assert [item.urls[0] if item.urls else "" for item in post.items] == [
        "https://techcrunch.com/2026/02/02/elon-musk-spacex-acquires-xai-data-centers-space-merger/",
        "https://techcrunch.com/2026/02/02/waymo-raises-16-billion-round-to-scale-robotaxi-fleet-london-tokyo/",
        "https://news.hada.io/topic?id=26362",
        "https://news.hada.io/topic?id=26359",
        "https://alignment.anthropic.com/2026/hot-mess-of-ai/",
    ]
    assert post.footer == "이 포스팅은 Gemini AI가 제공한 뉴스 데이터를 기반으로 작성되었습니다."


# --------------------------------------------------------------------------- canonical render


def small_post(**changes) -> Post:
    fields = dict(
        title="[2026-02-03] 글로벌 IT 뉴스 Top 5",
        date=datetime(2026, 2, 3, 13, 49, 53, tzinfo=SEOUL),
        items=[
            Item(
                title="제목",
                summary="요약 문장입니다.",
                insights=[Insight("라벨", "설명."), Insight("", "라벨 없는 설명.")],
                sources=[Source("https://example.com/a")],
            )
        ],
        footer="맺음말.",
    )
    fields.update(changes)
    return Post(**fields)


def test_render_canonical_layout():
    assert render(small_post()) == (
        "---\n"
        "layout: default\n"
        'title:  "[2026-02-03] 글로벌 IT 뉴스 Top 5"\n'
        "date:   2026-02-03 13:49:53 +0900\n"
        "categories: tech\n"
        "---\n"
        "\n"
        "### 제목\n"
        "\n"
        "**📌 요약**\n"
        "요약 문장입니다.\n"
        "\n"
        "**💡 시사점**\n"
        "-   **라벨:** 설명.\n"
        "-   라벨 없는 설명.\n"
        "\n"
        "<br>\n"
        "**[🔗 원문 기사 보기](https://example.com/a)**\n"
        "\n"
        "---\n"
        "\n"
        "<br>\n"
        "\n"
        "> *맺음말.*"
    )


def test_render_without_footer_ends_after_last_separator_with_one_newline():
    text = render(small_post(footer=None))
    assert text.endswith("**[🔗 원문 기사 보기](https://example.com/a)**\n\n---\n")
    assert parse(text).footer is None


def test_render_item_without_insights_or_url():
    post = small_post(items=[Item("제목", "요약.", [], [])])
    assert "\n### 제목\n\n**📌 요약**\n요약.\n\n---\n\n<br>\n\n> *맺음말.*" in render(post)
    assert parse(render(post)) == post


def test_render_extra_keys_after_categories_only_with_a_value():
    post = small_post(extra={"tags": ["AI", "반도체", 'say "hi"'], "empty": [], "none": None, "slug": "x:y"})
    text = render(post)
    assert 'categories: tech\ntags: ["AI", "반도체", "say \\"hi\\""]\nslug: "x:y"\n---\n' in text
    assert parse(text).extra == {"tags": ["AI", "반도체", 'say "hi"'], "slug": "x:y"}


def test_render_escapes_title_quotes_and_backslashes():
    text = render(small_post(title='A "quoted" C:\\path # {{x}}'))
    assert 'title:  "A \\"quoted\\" C:\\\\path # {{x}}"\n' in text
    assert parse(text).title == 'A "quoted" C:\\path # {{x}}'


def test_render_keeps_date_offset_of_the_date():
    utc = datetime(2026, 2, 3, 4, 49, 53, tzinfo=timezone.utc)
    text = render(small_post(date=utc))
    assert "date:   2026-02-03 04:49:53 +0000\n" in text
    assert parse(text).date == utc


def test_render_rejects_naive_date():
    with pytest.raises(ValueError, match="timezone-aware"):
        render(small_post(date=datetime(2026, 2, 3)))


@pytest.mark.parametrize(
    "summary, written",
    [
        # Markdown of the content model stays as it is.
        ("- 목록\n- 둘째", "- 목록\n- 둘째"),
        ("* 별표 목록\n+ 더하기", "* 별표 목록\n+ 더하기"),
        ("앞 줄\n- 바로 뒤 목록", "앞 줄\n- 바로 뒤 목록"),
        ("1. 번호\n2. 둘째", "1. 번호\n2. 둘째"),
        ("`pnpm`은 빠릅니다", "`pnpm`은 빠릅니다"),
        ("**굵게** 시작하는 문장", "**굵게** 시작하는 문장"),
        ("[링크](https://e.com)로 시작", "[링크](https://e.com)로 시작"),
        ("줄 끝 공백 둘  \n다음 줄", "줄 끝 공백 둘  \n다음 줄"),
        ("-1.5% 하락", "-1.5% 하락"),
        ("-- 두 개", "-- 두 개"),
        ("일반 문장 --- 가운데", "일반 문장 --- 가운데"),
        ("`a|b`와 `{:x}` 코드", "`a|b`와 `{:x}` 코드"),
        # What would break the post, or start a construct outside the model, gets a backslash.
        ("---", "\\-\\-\\-"),
        ("- - -", "\\- \\- \\-"),
        ("===", "\\=\\=\\="),
        ("# 해시로 시작", "\\# 해시로 시작"),
        ("> 인용처럼", "\\> 인용처럼"),
        ("<br>", "\\<br>"),
        (": 정의처럼", "\\: 정의처럼"),
        ("[참조]: https://e.com", "\\[참조]: https://e.com"),
        ("```", "\\`\\`\\`"),
        ("**📌 요정**", "\\**📌 요정**"),
        ("**[🔗 원문 기사 보기](https://x)**", "\\**[🔗 원문 기사 보기](https://x)**"),
        ("앞 줄\n2. 번호", "앞 줄\n2\\. 번호"),
        ("1) 괄호 번호", "1\\) 괄호 번호"),
        ("- [ ] 할 일", "- \\[ ] 할 일"),
        ("a | b", "a \\| b"),
        ("x{: .cls} {{ y }} {::x}", "x\\{: .cls} {{ y }} \\{::x}"),
        ("<b>태그</b> a<3", "\\<b>태그\\</b> a<3"),
        ("![그림](https://e.com/x.png)", "\\![그림](https://e.com/x.png)"),
        ("$$x$$ 그리고 $5", "\\$\\$x\\$\\$ 그리고 $5"),
        ("~~취소~~ ~물결", "\\~\\~취소\\~\\~ ~물결"),
        ("[t](java&#9;script:alert(1))", "[t]\\(java&#9;script:alert(1))"),
        # Leading blanks are not kept, nor a line break at the end of a paragraph.
        ("    들여쓴 줄\n  - 안쪽 목록  \n\n끝", "들여쓴 줄\n- 안쪽 목록\n\n끝"),
    ],
)
def test_markdown_layer_of_summaries(summary, written):
    assert jekyll.markdown_block(summary) == written
    back = parse(render(small_post(items=[Item("제목", summary, [], [])]))).items[0].summary
    assert jekyll.markdown_block(back) == written


@pytest.mark.parametrize(
    "label, text, written",
    [
        ("라벨", "설명.", "**라벨:** 설명."),
        ("별*표 \\", "`a|b` c | d", "**별\\*표 \\\\:** `a|b` c \\| d"),
        ("", "- 목록처럼", "\\- 목록처럼"),
        ("", "1. 번호처럼", "1\\. 번호처럼"),
        ("", "---", "\\-\\-\\-"),
        ("", "[ ] 할 일", "\\[ ] 할 일"),
        ("", "**가짜**: 라벨 아님", "**가짜**\\: 라벨 아님"),
    ],
)
def test_markdown_layer_of_insights(label, text, written):
    assert jekyll.markdown_insight(label, text) == written
    back = parse(render(small_post(items=[Item("제목", "요약.", [Insight(label, text)], [])]))).items[0].insights
    assert back == [Insight(label, text)]


def test_an_unlabelled_insight_written_like_a_label_reads_back_as_one():
    # Both show the same bold "x:" everywhere; the label form is the one the importer keeps.
    post = small_post(items=[Item("제목", "요약.", [Insight("", "**가짜:** 라벨 같은 글")], [])])
    assert parse(render(post)).items[0].insights == [Insight("가짜", "라벨 같은 글")]


@pytest.mark.parametrize(
    "title, written",
    [
        ("#MeToo 이후 10년, C#", "#MeToo 이후 10년, C\\#"),
        ("1. CES 2026: 삼성 & LG; 새 TV", "1. CES 2026: 삼성 & LG; 새 TV"),
        ("RTX\u202f5090", "RTX\u202f5090"),
        ("x <img src=x onerror=alert(1)//", "x \\<img src=x onerror=alert(1)//"),
        ("제목 {#id}", "제목 \\{#id}"),
    ],
)
def test_markdown_layer_of_titles(title, written):
    assert jekyll.markdown_inline(title) == written
    assert parse(render(small_post(items=[Item(title, "요약.", [], [])]))).items[0].title == title


def test_exporter_backslashes_come_back_without_the_writers_own_staying():
    # "\|" shows as "|" to kramdown and to us: such a backslash is always the exporter's.
    post = small_post(items=[Item("C\\# 제목", "a \\| b 그리고 \\*별\\* 그리고 \\[x](y)", [], [])])
    item = parse(render(post)).items[0]
    assert (item.title, item.summary) == ("C# 제목", "a | b 그리고 \\*별\\* 그리고 \\[x](y)")


def test_liquid_escape_is_reversed_left_to_right():
    for raw in ["{{ site.title }}", "{% include x %}", "{{{", "{{%", '{{ "{{" }}', "{%{{", "{", "}}"]:
        escaped = jekyll._liquid_escape(raw)
        assert "{%" not in escaped.replace('"{%"', "")
        assert jekyll._liquid_unescape(escaped) == raw
    assert jekyll._liquid_escape("a {{ b }} {% c %}") == 'a {{ "{{" }} b }} {{ "{%" }} c %}'
    # Liquid's escape works inside code spans too, where a backslash would show.
    assert render(small_post(items=[Item("t", "{{ a }} `{{ b }}`", [], [])])).count('{{ "{{" }} a }} `{{ "{{" }} b }}`') == 1


@pytest.mark.parametrize(
    "url, written",
    [
        ("https://e.com/a_(b)?q=1&r=(2)", "(https://e.com/a_(b)?q=1&r=(2))"),
        ("https://e.com/9b(", "(<https://e.com/9b(>)"),
        ("https://e.com/a)b(", "(<https://e.com/a)b(>)"),
        ("https://e.com/{{x}}", '(https://e.com/{{ "{{" }}x}})'),
        # Refused addresses are written so that kramdown shows them as text.
        ("https://e.com/a b", "\\(https://e.com/a b)"),
        ("<https://e.com/a>", "\\(\\<https://e.com/a>)"),
        ("javascript:alert(1)", "\\(javascript:alert(1))"),
        ("java&#9;script:alert(1)", "\\(java&#9;script:alert(1))"),
    ],
)
def test_link_target_escaping(url, written):
    text = render(small_post(items=[Item("제목", "요약.", [], [Source(url)])]))
    assert f"**[🔗 원문 기사 보기]{written}**" in text
    assert parse(text).items[0].urls == [url]


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://example.com/a?b=1&c=2", True),
        ("HTTP://EXAMPLE.COM/가나다", True),
        ("mailto:desk@example.com", True),
        ("javascript:alert(1)", False),
        ("java&#9;script:alert(1)", False),
        ("javascript&colon;alert(1)", False),
        ("https://e.com/&#x6A;", False),
        ("https://e.com/a b", False),
        ("https://e.com/\x01", False),
        ('https://e.com/"><b>', False),
        ("//e.com/x", False),
        ("/tech/2026/01/01/x.html", False),
    ],
)
def test_url_allowed(url, allowed):
    assert jekyll.url_allowed(url) is allowed


def test_refused_links_and_front_matter_html():
    text = "[a](https://ok.example) [t](java&#9;script:alert(1)) `[c](javascript:x)` 배열]( 끝\n[d]( <data:x>)"
    assert jekyll.refused_links(text) == ["java&#9;script:alert(1)", "data:x"]
    assert jekyll.front_matter_html("x <img src=x onerror=alert(1)//") == "<img src=x onerror=alert(1)//"
    assert jekyll.front_matter_html("a < b, 3 > 2 <3") is None


def test_post_filename_and_permalink():
    when = datetime(2026, 2, 3, 13, 49, 53, tzinfo=SEOUL)
    assert post_filename(when, "daily-it-news") == "2026-02-03-daily-it-news.md"
    assert post_filename(when.date(), "daily-it-news") == "2026-02-03-daily-it-news.md"
    assert permalink("tech", when, "daily-it-news") == "/tech/2026/02/03/daily-it-news.html"


# --------------------------------------------------------------------------- property


def one_line(text: str) -> str:
    return " ".join(text.split())


ALPHABET = st.sampled_from(
    list("가나다뉴스요약시사점한국어 abcXYZ019\"':#{}%-*_=\\<>+[]()|`$.!?&/~;")
    + ["🚀", "📌", "💡", "🔗", "😀", "\t", "\u202f"]
)
FRAGMENTS = st.sampled_from(
    [
        "{{",
        "{%",
        "}}",
        "%}",
        "---",
        "### ",
        "**📌 요약**",
        "**💡 시사점**",
        "**· 시사점**",
        "<br>",
        "> ",
        "- ",
        "* ",
        "1. ",
        "**라벨:** ",
        "**[🔗 원문 기사 보기](https://x.y)**",
        '{{ "{{" }}',
        "\\",
        "#",
        " ",
        "`pnpm`",
        "``a`b``",
        "[링크](https://e.com/a)",
        "[t](java&#9;script:x)",
        "{: onclick=x}",
        "![i](https://x.png)",
        "<img src=x>",
        "&amp;",
        "|",
        "$$",
        "~~",
        "[ ] ",
    ]
)
RAW = st.lists(st.one_of(FRAGMENTS, st.text(ALPHABET, max_size=6)), max_size=6).map("".join)
LINE = RAW.map(one_line)
SUMMARY_LINE = st.tuples(st.sampled_from(["", "", " ", "    "]), RAW, st.sampled_from(["", "", "  "])).map(
    lambda t: t[0] + t[1].rstrip() + t[2]
)
LIST_LINE = st.tuples(st.sampled_from(["- ", "* ", "+ ", "1. ", "2. ", "10. "]), LINE, st.sampled_from(["", "  "])).map(
    "".join
)
CODE_LINE = st.tuples(st.sampled_from(["`pnpm`은 ", "`a|b` ", "``x`y`` ", "`{{ x }}` "]), LINE).map("".join)
BLOCK = st.one_of(
    st.lists(SUMMARY_LINE, min_size=1, max_size=3),
    st.lists(LIST_LINE, min_size=1, max_size=4),  # a bullet or numbered list
    st.tuples(LINE, st.lists(LIST_LINE, min_size=1, max_size=3)).map(lambda t: [t[0], *t[1]]),  # right after a line
    st.lists(CODE_LINE, min_size=1, max_size=2),
)
SUMMARIES = st.lists(BLOCK, max_size=3).map(lambda blocks: "\n\n".join("\n".join(b) for b in blocks))

URL = st.builds(
    lambda path, query: f"https://example.com/{path}" + (f"?{query}" if query else ""),
    st.lists(st.sampled_from(list("abc019-_/()%.가<> ") + ["(x)", "{{", ")*", "&#9;"]), max_size=12).map("".join),
    st.text(st.sampled_from(list("abc019=&()")), max_size=8),
).map(one_line)
URLS = st.one_of(URL, st.sampled_from(["javascript:alert(1)", "java&#9;script:x", "mailto:a@b.c"]))

INSIGHTS = st.lists(st.builds(Insight, label=st.one_of(st.just(""), LINE), text=LINE), max_size=3)
ITEMS = st.lists(
    st.builds(Item, title=LINE, summary=SUMMARIES, insights=INSIGHTS, sources=st.lists(st.builds(Source, URLS), max_size=3)),
    min_size=1,
    max_size=5,
)
ZONES = st.sampled_from([SEOUL, timezone.utc, timezone(timedelta(hours=-5, minutes=-30)), ZoneInfo("Europe/Paris")])
DATES = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    ZONES,
)
FOOTERS = st.one_of(
    st.none(),
    LINE,
    st.lists(LINE, min_size=2, max_size=3).map("\n".join),  # a blank line among them too
)
EXTRAS = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"tags": st.lists(LINE, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"tags": st.lists(LINE, min_size=1, max_size=2), "source": LINE.filter(bool)}),
)
POSTS = st.builds(
    Post,
    title=LINE.filter(bool),
    date=DATES,
    categories=st.sampled_from(["tech", "entertainment", "news", "tech news"]),
    layout=st.sampled_from(["default", "post"]),
    items=ITEMS,
    footer=FOOTERS,
    extra=EXTRAS,
)


def fields(post: Post):
    yield from (post.title, post.footer or "")
    for item in post.items:
        yield from (item.title, item.summary, *(s.url for s in item.sources))
        for insight in item.insights:
            yield from (insight.label, insight.text)


def canonical(post: Post) -> Post:
    """The post as the format keeps it (render's docstring): what parse(render(post)) must give."""

    def insight(i: Insight) -> Insight:
        label, text = jekyll._one_line(i.label), jekyll._one_line(i.text)
        bold = jekyll._LABEL.fullmatch(text)
        if not label and bold:  # shows as the label it looks like, and reads back as one
            return Insight(jekyll._label_field(bold.group(1)).strip(), bold.group(2).strip())
        return Insight(label, text)

    items = [
        Item(jekyll._one_line(item.title), "\n".join(jekyll._summary_lines(item.summary)),
             [insight(i) for i in item.insights],
             [Source(url) for url in (jekyll._one_line(s.url) for s in item.sources) if url])
        for item in post.items
    ]
    # The footer is one paragraph: its blank lines go.
    footer = None if post.footer is None else "\n".join(
        ln.strip(jekyll._WS) for ln in post.footer.split("\n") if ln.strip(jekyll._WS))
    return dataclasses.replace(post, title=jekyll._one_line(post.title), items=items, footer=footer)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POSTS)
def test_parse_inverts_render(post):
    text = render(post)
    parsed = parse(text, "generated.md")
    assert parsed.warnings == []
    assert render(parsed) == text
    if not any("\\" in value for value in fields(post)):
        # A writer's backslash may come back without it where it showed nothing (see the docstring).
        assert parsed == canonical(post)


def reshape(text: str, shapes: set[str]) -> str:
    """The canonical post text in the other shapes the blog wrote (FORMAT.md)."""
    lines = text.split("\n")
    body = lines.index("---", 1) + 1
    out, in_item, in_insights, skip = lines[:body], False, False, False
    for n, line in enumerate(lines[body:], body):
        if skip:
            skip = False
            continue
        if line.startswith("### "):
            in_item = True
        elif line == "---":
            in_item = False
        in_insights = line == jekyll.INSIGHTS_HEADER or (in_insights and line.startswith("-   "))
        if "br-blank" in shapes and in_item and line == "":
            line = "<br>"
        if "br-link" in shapes and line == "<br>" and lines[n + 1 : n + 2] and jekyll._link_line(lines[n + 1]):
            out.append("<br>" + lines[n + 1])
            skip = True
            continue
        bold = re.fullmatch(r"(-   \*\*)([^:*\\]+):\*\* (.*)", line)
        if "label-space" in shapes and bold and in_insights:
            line = f"{bold.group(1)}{bold.group(2)}** : {bold.group(3)}"
        if "trailing" in shapes and (line in (jekyll.SUMMARY_HEADER, jekyll.INSIGHTS_HEADER) or in_insights):
            line += "  "
        out.append(line)
    if "indent4" in shapes:
        first = next(n for n, line in enumerate(out) if n >= body and line.startswith("### "))
        out = out[: first + 1] + [("    " + line) if line else line for line in out[first + 1 :]]
    return "\n".join(out)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POSTS, st.sets(st.sampled_from(["br-blank", "br-link", "label-space", "trailing", "indent4"]), min_size=1))
def test_the_blogs_other_shapes_read_like_the_canonical_post(post, shapes):
    text = render(post)
    shaped = parse(reshape(text, shapes), "shaped.md")
    assert shaped.warnings == []
    assert shaped == parse(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("-*_=\\ \t#>+<:[{|`$1.a*가📌~!)x") + ["**", "요약", "[ ] ", "](j:", "```"]), max_size=12).map("".join))
def test_markdown_layer_of_a_line_is_undone(line):
    line = line.strip(" \t")
    for kind in ("block", "inline"):
        written = jekyll._escape_start(jekyll._drop_ours(line), kind)[0]
        back = jekyll._unescape_start(written, kind)
        assert jekyll._escape_start(back, kind)[0] == written
        if "\\" not in line:
            assert back == line


# --------------------------------------------------------------------------- importer variants


def test_variant_trailing_double_spaces():
    post = read_variant("trailing-spaces.md")
    item = post.items[0]
    assert item.title == "반도체 수출 회복세"
    assert item.summary == "반도체 수출이 석 달 연속 늘었습니다."
    assert item.insights == [Insight("수요 회복", "메모리 가격이 오르고 있습니다."), Insight("", "재고가 줄었습니다.")]
    assert post.warnings == []


def test_variant_multi_line_summary():
    item = read_variant("multi-line-summary.md").items[0]
    assert item.summary == (
        "정부가 새 인공지능 기본법 시행령을 발표했습니다.\n"
        "고위험 AI 사업자는 위험 관리 계획을 세워야 합니다.\n"
        "\n"
        "시행은 내년 1월부터입니다."
    )


def test_variant_list_markers():
    post = read_variant("list-markers.md")
    assert [[(i.label, i.text) for i in item.insights] for item in post.items] == [
        [("첫째", "하이픈 하나와 공백 하나."), ("둘째", "하이픈과 공백 셋.")],
        [("셋째", "별표와 공백 하나."), ("넷째", "별표와 공백 셋.")],
        [("다섯째", "앞에 공백 하나."), ("여섯째", "네 칸 들여쓰기.")],
    ]
    assert post.warnings == []


def test_variant_every_line_indented_by_one_space():
    post = read_variant("indented-one-space.md")
    assert post.warnings == []
    assert [item.title for item in post.items] == ["들여쓴 첫 기사", "들여쓴 둘째 기사"]
    assert post.items[0].summary == "본문 줄마다 공백 하나가 앞에 있습니다."
    assert post.items[0].insights == [Insight("라벨", "들여쓴 시사점.")]
    assert post.items[1].urls == ["https://example.com/indented-2"]
    assert post.footer == "들여쓴 맺음말입니다."


def test_variant_insight_label_forms():
    insights = read_variant("insight-labels.md").items[0].insights
    assert insights == [
        Insight("콜론이 안쪽", "콜론이 별표 안에 있습니다."),
        Insight("콜론이 바깥", "콜론이 별표 밖에 있습니다."),
        Insight("", "라벨이 없는 시사점."),
    ]


def test_variant_misspelt_headers():
    post = read_variant("misspelt-headers.md")
    assert post.warnings == []
    first, second = post.items
    assert first.summary == "요정이라고 잘못 쓴 요약 머리말입니다."
    assert first.insights == [Insight("점 머리말", "가운뎃점이 붙은 시사점 머리말.")]
    assert second.summary == "이모지 없이 낱말만 있는 요약."
    assert second.insights == [Insight("", "이모지만 있고 낱말이 틀린 시사점 머리말.")]


def test_variant_one_item_and_five_items():
    one = read_variant("one-item.md")
    assert [item.title for item in one.items] == ["하나뿐인 기사"]
    five = read_variant("five-items.md")
    assert [item.title for item in five.items] == [f"{n}번째 기사" for n in "12345"]
    assert [item.urls[0] for item in five.items] == [f"https://example.com/{n}" for n in range(1, 6)]
    assert one.warnings == five.warnings == []


def test_variant_link_line_forms():
    post = read_variant("link-lines.md")
    assert [item.urls[0] if item.urls else "" for item in post.items] == [
        "",
        "https://example.com/no-br",
        "https://example.com/2026/02/03/a-very-long-slug-that-the-model-broke-over-two-lines?id=7",
    ]
    assert post.items[0].insights == [Insight("링크 없음", "원문 링크 줄이 없습니다.")]
    assert post.warnings == []


def test_variant_no_footer():
    post = read_variant("no-footer.md")
    assert post.footer is None
    assert post.items[0].urls == ["https://example.com/no-footer"]
    assert post.warnings == []


def test_variant_crlf_and_final_newline():
    raw = (VARIANTS / "crlf-final-newline.md").read_bytes()
    assert b"\r\n" in raw and raw.endswith(b"\r\n")
    post = read_variant("crlf-final-newline.md")
    assert post.items[0].summary == "윈도 줄바꿈으로 저장된 글입니다.\n둘째 줄도 있습니다."
    assert post.items[0].urls == ["https://example.com/crlf"]
    assert post.footer == "CRLF 맺음말."
    assert post.warnings == []


def test_variant_early_news_category_post():
    post = read_variant("early-news-category.md")
    assert post.title == "[2025-12-01] 오늘의 글로벌 IT 뉴스 Top 5"
    assert post.categories == "news"
    assert post.date == datetime(2025, 12, 1, 9, 0, 0, tzinfo=SEOUL)
    assert post.items[0].title == "초기 글의 기사"


def test_variant_date_with_colon_offset_and_without_offset():
    colon = read_variant("date-colon-offset.md")
    assert colon.date == datetime(2026, 1, 5, 7, 30, tzinfo=SEOUL)
    assert colon.date.tzinfo == SEOUL
    naive = read_variant("date-no-offset.md")
    assert naive.date == datetime(2026, 1, 6, 7, 30, tzinfo=SEOUL)
    utc = parse((VARIANTS / "date-no-offset.md").read_text(encoding="utf-8"), default_tz=timezone.utc)
    assert utc.date == datetime(2026, 1, 6, 7, 30, tzinfo=timezone.utc)


def test_variant_leftovers_are_kept_and_reported():
    post = read_variant("leftovers.md")
    item = post.items[0]
    assert item.summary == (
        "머리말 없이 시작한 요약입니다.\n"
        "\n"
        "링크 뒤에 남은 문장입니다."
    )
    assert item.insights == [Insight("라벨", "첫 줄이 이어지는 시사점입니다.")]
    assert post.footer == "맺음말입니다.\n맺음말 뒤에 붙은 문장."
    assert messages(post) == [
        (10, "item text without a '📌 요약' header; read as the summary"),
        (14, "a line continuing an insight bullet; joined to it with a space"),
        (17, "text after the link line; kept at the end of the item's summary"),
        (23, "text after the footer; kept in the footer"),
    ]
    assert all(w.filename == "leftovers.md" for w in post.warnings)
    assert str(post.warnings[0]) == "leftovers.md:10: item text without a '📌 요약' header; read as the summary"


def test_variant_link_on_the_br_line_and_several_link_lines():
    post = read_variant("link-on-br-line.md")
    assert post.warnings == []
    first, second, third = post.items
    assert first.insights == [Insight("붙은 링크", "링크를 시사점에 넣지 말아야 합니다.")]
    assert first.urls == ["https://example.com/br-line"]
    assert second.urls == ["https://example.com/one", "https://example.org/two"]
    assert third.urls == ["https://example.com/first", "https://example.net/second", "https://example.org/third"]
    assert third.summary == "같은 소식을 세 매체가 전했습니다."


def test_variant_several_links_on_one_line_and_a_link_title():
    post = read_variant("links-on-one-line.md")
    assert [w.message for w in post.warnings] == ["2 links on one line; the export writes a line each"] * 2
    assert [item.urls for item in post.items] == [
        ["https://example.com/same-line-a", "https://example.org/same-line-b"],
        ["https://example.com/joined-a", "https://example.net/joined-b"],
        ["https://example.com/titled"],
    ]
    assert [item.summary for item in post.items][1] == "링크 사이와 줄 끝에 br이 있습니다."


def test_variant_br_inside_lines_is_a_line_break():
    post = read_variant("br-inside-lines.md")
    assert [w.message for w in post.warnings] == ["a '<br>' inside an insight; an insight is one line, so it is a space"]
    first, second = post.items
    assert first.summary == "첫 문장입니다.  \nbr 뒤의 둘째 문장입니다.  \n셋째 줄은 `<br>` 코드를 그대로 보여 줍니다."
    assert first.insights == [Insight("줄 끝 br", "시사점 끝의 br은 구분일 뿐입니다."), Insight("가운데 br", "앞 절반 뒤 절반")]
    assert first.urls == ["https://example.com/br-inside"]
    assert second.summary == "- 첫째 항목입니다.  \n- 둘째 항목입니다."
    assert "\\<br" not in render(post)  # no <br> left to be shown as text


def test_variant_br_lines_instead_of_blank_lines():
    post = read_variant("br-separators.md")
    assert post.warnings == []
    item = post.items[0]
    assert item.title == "빈 줄 대신 br로 나눈 기사"
    assert item.summary == "빈 줄이 하나도 없는 항목입니다.\n요약은 두 줄입니다."
    assert item.insights == [Insight("빈 줄 없음", "머리말 사이마다 br 줄이 있습니다."), Insight("둘째", "두 번째 시사점입니다.")]
    assert item.urls == ["https://example.com/br-separators"]


def test_variant_bullet_list_summary_with_trailing_spaces():
    post = read_variant("bullet-summary.md")
    assert post.warnings == []
    assert post.items[0].summary == (
        "- 첫째, 엔비디아가 새 GPU를 발표했습니다.  \n"
        "- 둘째, 가격은 지난 세대와 같습니다.  \n"
        "- 셋째, 출시는 다음 달입니다."
    )
    assert post.items[0].insights == [Insight("목록 요약", "블로그에서도 목록으로 보여야 합니다.")]
    assert "\n- 첫째, 엔비디아가 새 GPU를 발표했습니다.  \n- 둘째," in render(post)  # still a list, not "\\-"


def test_variant_code_span_and_star_bullets_in_a_summary():
    post = read_variant("code-span-summary.md")
    assert post.warnings == []
    assert post.items[0].summary == (
        "`pnpm`은 빠른 패키지 관리자입니다. 이번 버전의 주요 변경은 다음과 같습니다.\n"
        "* `pnpm install`이 더 빨라졌습니다.\n"
        "* 설정 파일 `pnpm-workspace.yaml`을 새로 읽습니다."
    )
    assert post.items[0].insights == [Insight("코드 표기", "`npm`과 `yarn` 사용자도 옮겨 오기 쉽습니다.")]


def test_variant_label_with_a_blank_before_the_colon():
    post = read_variant("label-space-colon.md")
    assert post.warnings == []
    assert post.items[0].insights == [
        Insight("공백 뒤 콜론", "콜론 앞에 공백 하나."),
        Insight("공백 여럿", "공백이 여러 개."),
        Insight("붙은 콜론", "공백 없음."),
    ]


def test_variant_every_line_after_the_first_heading_indented_by_four():
    post = read_variant("indented-four-spaces.md")
    assert post.warnings == []
    assert [item.title for item in post.items] == ["네 칸 들여쓴 기사", "네 칸 들여쓴 둘째 기사"]
    assert post.items[0].summary == "네 칸 들여쓰기는 블로그에서 코드 블록으로 보였습니다.\n둘째 줄입니다."
    assert post.items[0].insights == [Insight("들여쓰기", "본문으로 보여야 합니다.")]
    assert [item.urls for item in post.items] == [["https://example.com/indented-4"], ["https://example.com/indented-4b"]]
    assert post.footer == "네 칸 들여쓴 맺음말입니다."


def test_variant_title_shapes():
    post = read_variant("title-shapes.md")
    assert post.warnings == []
    assert [item.title for item in post.items] == [
        "1. CES 2026: 삼성 & LG; 새 TV 공개",
        "#MeToo 이후 10년, C#",
        "엔비디아\u202fRTX\u202f5090 출시 &amp; 가격",
        "C# 그리고 F#",
    ]
    assert "### #MeToo 이후 10년, C\\#\n" in render(post)


def test_every_variant_fixture_is_tested_and_canonicalises():
    # Re-rendering a variant gives canonical text that reads back to the same post.
    for path in sorted(VARIANTS.glob("*.md")):
        post = parse(decode(path.read_bytes(), path.name), path.name)
        again = parse(render(post), path.name)
        assert again == post, path.name
        assert render(again) == render(post)


# --------------------------------------------------------------------------- bad input


def test_non_utf8_bytes():
    data = "---\ntitle: x\n".encode() + b"caf\xe9\n"
    with pytest.raises(JekyllFormatError) as info:
        decode(data, "latin1.md")
    assert (info.value.filename, info.value.line) == ("latin1.md", 3)
    assert "not UTF-8" in info.value.reason and "byte offset 16" in info.value.reason
    assert str(info.value).startswith("latin1.md:3: not UTF-8")


def test_decode_strips_bom():
    assert decode("\ufeff---\n".encode(), "bom.md") == "---\n"


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ("### 제목\n\n**📌 요약**\n본문\n", 1, "no front matter"),
        ("---\ntitle: x\ndate:   2026-02-03 13:49:53 +0900\n\n### 제목\n", 1, "never closed"),
        ('---\nlayout: default\ntitle:  "x"\ndate:   2026-02-30 13:49:53 +0900\n---\n### a\n', 4, "is not a date"),
        ('---\nlayout: default\ntitle:  "x"\ndate:   어제\n---\n### a\n', 4, "is not a date"),
        ('---\nlayout: default\ntitle:  "x"\n---\n### a\n', 4, "no date"),
        ("---\nlayout: default\ndate:   2026-02-03 13:49:53 +0900\n---\n### a\n", 4, "no title"),
        ('---\nlayout: default\ntitle: ""\ndate:   2026-02-03 13:49:53 +0900\n---\n### a\n', 3, "no title"),
        ('---\ntitle:  "x"\ndate:   2026-02-03 13:49:53 +0900\n---\n\n본문만 있습니다.\n', 6, "no item"),
        ('---\ntitle:  "x"\ndate:   2026-02-03 13:49:53 +0900\n---\n', 4, "no item"),
        ("---\ntitle: [2026-02-03] 글로벌: 뉴스\ndate:   2026-02-03\n---\n### a\n", 2, "not valid YAML"),
        ('---\nlayout: default\ntitle:  "unterminated\ndate:   2026-02-03\n---\n### a\n', 3, "not valid YAML"),
    ],
)
def test_bad_input_names_file_and_line(text, line, reason):
    with pytest.raises(JekyllFormatError) as info:
        parse(text, "bad.md")
    assert info.value.filename == "bad.md"
    assert reason in info.value.reason
    assert info.value.line == line
    assert str(info.value) == f"bad.md:{line}: {info.value.reason}"


def test_module_imports_only_stdlib_and_yaml():
    tree = ast.parse(Path(jekyll.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "functools", "re", "dataclasses", "datetime", "zoneinfo", "yaml"}


FRONT = '---\nlayout: default\ntitle:  "t"\ndate:   2026-01-07 08:00:00 +0900\ncategories: tech\n---\n'


def test_text_before_first_item_joins_its_summary():
    post = parse(FRONT + "\n머리 글.\n\n### 기사\n\n**📌 요약**\n요약.\n", "pre.md")
    assert post.items[0].summary == "머리 글.\n\n요약."
    assert messages(post) == [(8, "text before the first '### ' item; kept at the start of its summary")]


def test_closing_text_without_quote_is_read_as_footer():
    post = parse(FRONT + "\n### 기사\n\n**📌 요약**\n요약.\n\n---\n\n<br>\n\n인용 표시 없는 맺음말.\n", "f.md")
    assert post.footer == "인용 표시 없는 맺음말."
    assert messages(post) == [(17, "closing text without '> *...*'; read as the footer")]


def test_quote_between_items_stays_with_the_item_before():
    post = parse(FRONT + "\n### 하나\n\n**📌 요약**\n요약.\n\n---\n\n> 사이 인용.\n\n### 둘\n\n**📌 요약**\n둘째.\n", "q.md")
    assert [item.title for item in post.items] == ["하나", "둘"]
    assert post.items[0].summary == "요약.\n\n> 사이 인용."
    assert post.footer is None
    assert messages(post) == [(15, "a '>' quote between items; kept at the end of the previous item's summary")]


def test_text_after_a_br_line_in_the_insights_is_kept_and_reported():
    post = parse(FRONT + "\n### 기사\n**📌 요약**\n요약.\n**💡 시사점**\n- 하나\n<br>\n남은 문장.\n- 둘\n", "br.md")
    item = post.items[0]
    assert item.summary == "요약.\n\n남은 문장." and item.insights == [Insight("", "하나"), Insight("", "둘")]
    assert messages(post) == [(14, "text after a '<br>' line; kept at the end of the item's summary")]


def test_more_items_and_insights_than_digests_have_are_kept_with_a_warning():
    bullets = "".join(f"- 시사점 {n}\n" for n in range(4))
    items = "".join(f"### 기사 {n}\n\n**📌 요약**\n요약.\n\n**💡 시사점**\n{bullets}\n---\n\n" for n in range(6))
    post = parse(FRONT + "\n" + items, "many.md")
    assert len(post.items) == 6 and all(len(item.insights) == 4 for item in post.items)
    assert (73, "a sixth item; digests have at most 5") in messages(post)
    assert messages(post)[0] == (17, "more than 3 insights in one item")


def test_several_sources_one_link_line_each_under_one_br():
    urls = ["https://example.com/a", "https://example.org/b", "https://example.net/c"]
    post = small_post(items=[Item("제목", "요약.", [Insight("라벨", "설명.")], [Source(u) for u in urls])])
    text = render(post)
    links = "\n".join(f"**[🔗 원문 기사 보기]({u})**" for u in urls)
    assert f"-   **라벨:** 설명.\n\n<br>\n{links}\n\n---\n" in text
    back = parse(text)
    assert back == post
    assert back.warnings == []


@pytest.mark.parametrize("links, urls, summary, warnings", [
    # Text after the link: the source is the link's target, the text kept (it was the post's), and said so.
    ("**[🔗 원문 기사 보기](https://example.com/a)** (연합뉴스)", ["https://example.com/a"], "요약.\n\n(연합뉴스)",
     ["text after the link on its line; kept at the end of the item's summary"]),
    ("**[🔗 원문 기사 보기](https://example.com/a)** [관련 기사](https://example.com/r)", ["https://example.com/a"],
     "요약.\n\n[관련 기사](https://example.com/r)", ["text after the link on its line; kept at the end of the item's summary"]),
    # Several 🔗 links on one line, by a space or a <br>: each is a source.
    ("**[🔗 원문 기사 보기](https://example.com/a)** **[🔗 원문 기사 보기](https://example.org/b)**",
     ["https://example.com/a", "https://example.org/b"], "요약.", ["2 links on one line; the export writes a line each"]),
    ("**[🔗 원문 기사 보기](https://example.com/a)**<br>**[🔗 원문 기사 보기](https://example.org/b)**<br>",
     ["https://example.com/a", "https://example.org/b"], "요약.", ["2 links on one line; the export writes a line each"]),
    # A title, and a <br> closing the line, are no part of the address.
    ('**[🔗 원문 기사 보기](https://example.com/a "제목")**', ["https://example.com/a"], "요약.", []),
    ("**[🔗 원문 기사 보기](https://example.com/a)**<br />", ["https://example.com/a"], "요약.", []),
    ("**[🔗 원문 기사 보기](https://ko.wikipedia.org/wiki/A_(B))**", ["https://ko.wikipedia.org/wiki/A_(B)"], "요약.", []),
])
def test_link_lines_with_more_than_the_link(links, urls, summary, warnings):
    post = parse(FRONT + f"\n### 기사\n\n**📌 요약**\n요약.\n\n<br>\n{links}\n\n---\n", "links.md")
    assert (post.items[0].urls, post.items[0].summary, [w.message for w in post.warnings]) == (urls, summary, warnings)
    again = parse(render(post))
    assert again.items == post.items and again.warnings == []


@pytest.mark.parametrize("header, title", [
    ("### C# and F# #", "C# and F#"), ("### 2. 두 번째 #", "2. 두 번째"), ("### C# ##", "C#"), ("### C#", "C#"),
    ("### #MeToo", "#MeToo"), ("### 끝 \\#", "끝 #"),
])
def test_a_closing_hash_run_is_no_part_of_the_title_as_kramdown_shows_it(header, title):
    post = parse(FRONT + f"\n{header}\n\n**📌 요약**\n요약.\n\n---\n", "hashes.md")
    assert post.items[0].title == title
    assert parse(render(post)).items[0].title == title
