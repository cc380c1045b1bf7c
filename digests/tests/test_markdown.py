"""The one renderer: kramdown's reading of the content model, sanitized; the plain-text fast path equals the full path."""
import pytest
from hypothesis import given, settings, strategies as st

from digests import jekyll, markdown


def full_inline(text):
    return str(markdown.clean(markdown._MD.renderInline(jekyll.markdown_inline(text))))


def full_block(text):
    return str(markdown.clean(markdown._MD.render(jekyll.markdown_block(text))))


TEXT = st.lists(st.sampled_from(list("가나다 abc.,;:'\"?()-=+1234567890%$^/*_[]<>&#\n") + ["뉴스", "입니다.", "http://x.io"]),
                max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_skipping_markdown_for_plain_text_changes_nothing(text):
    assert str(markdown.render_inline(text)) == full_inline(text)
    assert str(markdown.render(text)) == full_block(text)


@pytest.mark.parametrize(
    "summary, html",
    [
        # The constructs kramdown and our screens disagreed on before (issue 9).
        ("주요 내용:\n- 가격 인하\n- 출시", "<p>주요 내용:</p>\n<ul>\n<li>가격 인하</li>\n<li>출시</li>\n</ul>\n"),
        ("* 별표\n* 목록", "<ul>\n<li>별표</li>\n<li>목록</li>\n</ul>\n"),
        ("첫 줄  \n둘째 줄", "<p>첫 줄<br>\n둘째 줄</p>\n"),
        ("`pnpm`은 빠릅니다", "<p><code>pnpm</code>은 빠릅니다</p>\n"),
        ("그리고... -- ---", "<p>그리고… – —</p>\n"),
        ('"AI"와 \'정렬\', don\'t', "<p>“AI”와 ‘정렬’, don’t</p>\n"),
        ('이른바 **"AI 혁신"**이라는', "<p>이른바 <strong>“AI 혁신”</strong>이라는</p>\n"),
        ("3. 셋째\n4. 넷째", "<ol>\n<li>셋째</li>\n<li>넷째</li>\n</ol>\n"),  # kramdown counts from 1 too
        ("앞 줄\n3. 셋째", "<p>앞 줄\n3. 셋째</p>\n"),
        # Outside the model: text.
        ("# 해시\n> 인용\n---", "<p># 해시\n&gt; 인용\n---</p>\n"),
        ("a | b", "<p>a | b</p>\n"),
        ("<b>x</b> &copy; &check;", "<p>&lt;b&gt;x&lt;/b&gt; © &amp;check;</p>\n"),
        ("\\& \\*", "<p>\\&amp; *</p>\n"),  # kramdown's escapes only
    ],
)
def test_summaries_render_as_kramdown_reads_them(summary, html):
    assert str(markdown.render(summary)) == html


def test_titles_insights_and_footer_are_inline():
    assert str(markdown.render_inline("#MeToo 이후 10년, C#")) == "#MeToo 이후 10년, C#"
    assert str(markdown.render_inline("1. CES 2026")) == "1. CES 2026"
    assert str(markdown.render_inline("**굵은** `code`")) == "<strong>굵은</strong> <code>code</code>"
    assert str(markdown.render_insight("별*표", "설명 `x`")) == "<strong>별*표:</strong> 설명 <code>x</code>"
    assert str(markdown.render_insight("", "- 목록처럼")) == "- 목록처럼"
    assert str(markdown.render_footer("맺음말.")) == "<em>맺음말.</em>"


def test_links_are_nofollow_and_refused_ones_stay_text():
    out = str(markdown.render("[a](https://e.com) [b](javascript:alert(1)) [t](java&#9;script:x) <b onclick=x>c</b>"))
    assert '<a href="https://e.com" rel="noopener nofollow">a</a>' in out
    assert "href" not in out.replace('href="https://e.com"', "")
    assert "[b](javascript:alert(1))" in out and "&lt;b onclick=x&gt;c&lt;/b&gt;" in out
    for payload in ['![i](https://x.invalid/x.png){: onerror="alert(1)"}', '**x**{: tabindex="0" onfocus="alert(1)"}']:
        assert "onerror=" not in str(markdown.render(payload)).replace("onerror=”", "")
        assert "{:" in str(markdown.render(payload))


def test_safe_url_and_plain_text():
    assert markdown.safe_url(" https://e.com/x ") == "https://e.com/x"
    assert markdown.safe_url("javascript:alert(1)") == "" and markdown.safe_url("//evil.com") == ""
    assert markdown.safe_url("java&#9;script:alert(1)") == ""
    assert markdown.plain_text("**굵게** & <script>x</script>[링크](https://e.com)") == "굵게 & <script>x</script>링크"
    assert markdown.plain_text("- 하나\n- 둘") == "하나 둘"
    assert markdown.plain_text("가" * 300, limit=10) == "가" * 9 + "…"
    assert markdown.plain_text("가" * 300, limit=None) == "가" * 300
