"""Markdown for the reader site: sanitized, links nofollow, and the plain-text fast path equals the full path."""
import markdown as md
from hypothesis import given, settings, strategies as st

from digests import markdown


def full_inline(text):
    out = md.markdown(text, extensions=markdown.EXTENSIONS, output_format="html").strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return str(markdown.clean(out))


def full_block(text):
    return str(markdown.clean(md.markdown(text, extensions=markdown.EXTENSIONS, output_format="html")))


TEXT = st.lists(st.sampled_from(list("가나다 abc.,;:'\"?()-=+1234567890%$^/*_[]<>&#\n") + ["뉴스", "입니다.", "http://x.io"]),
                max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_skipping_markdown_for_plain_text_changes_nothing(text):
    assert str(markdown.render_inline(text)) == full_inline(text)
    assert str(markdown.render(text)) == full_block(text)


def test_links_are_nofollow_and_unsafe_ones_lose_their_href():
    out = str(markdown.render("[a](https://e.com) [b](javascript:alert(1)) <b onclick=x>c</b>"))
    assert '<a href="https://e.com" rel="noopener nofollow">a</a>' in out
    assert "javascript" not in out and "onclick" not in out and "<b>c</b>" in out


def test_safe_url_and_plain_text():
    assert markdown.safe_url(" https://e.com/x ") == "https://e.com/x"
    assert markdown.safe_url("javascript:alert(1)") == "" and markdown.safe_url("//evil.com") == ""
    assert markdown.plain_text("**굵게** & <script>x</script>[링크](https://e.com)") == "굵게 & 링크"
    assert markdown.plain_text("가" * 300, limit=10) == "가" * 9 + "…"
