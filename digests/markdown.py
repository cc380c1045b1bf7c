"""The one Markdown renderer of our screens: the content model of digests/jekyll.py, parsed as the
blog's kramdown parses it (markdown-it-py set up to agree), sanitized with nh3."""
import functools
import html
import html.entities
import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_inline.entity import entity as commonmark_entity
from markdown_it.rules_inline.state_inline import Delimiter

from . import jekyll

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow"

# kramdown-parser-gfm's escapable characters; a backslash before any other stays (CommonMark
# would drop it before every ASCII punctuation mark).
_ESCAPABLE = frozenset("\\.*_+`<>()[]{}#!:|\"'$=-~")
_ASCII_BLANK = frozenset(" \t\n\r\f\v")
_LETTERS_BEFORE = re.compile(r"[^\W\d_]-?[^\W\d_]*\Z")


def _escape(state, silent):
    """Backslash escapes and line breaks as kramdown reads them."""
    src, pos = state.src, state.pos
    if src[pos] != "\\" or pos + 1 >= state.posMax:
        return False
    char = src[pos + 1]
    if char == "\n" or (char == "\\" and src[pos + 2 : pos + 3] == "\n"):
        # kramdown: "\" or "\\" at the end of a line is a line break.
        if not silent:
            state.push("hardbreak", "br", 0)
        state.pos = pos + (2 if char == "\n" else 3)
        while state.pos < state.posMax and src[state.pos] in " \t":
            state.pos += 1
        return True
    if not silent:
        token = state.push("text_special", "", 0)
        token.content = char if char in _ESCAPABLE else "\\" + char
        token.markup = "\\" + char
        token.info = "escape"
    state.pos = pos + 2
    return True


# kramdown knows HTML 4's named character references (and two more); others stay text.
_ENTITY_NAMES = frozenset(html.entities.name2codepoint) | {"apos", "vellip"}
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _entity(state, silent):
    named = _NAMED_ENTITY.match(state.src, state.pos)
    if named and named.group(1) not in _ENTITY_NAMES:
        return False
    return commonmark_entity(state, silent)


def _emphasis(state, silent):
    """`*` and `_` runs with kramdown's rules for opening and closing, instead of CommonMark's
    flanking rules (which leave `**"인용"**이라는` unbolded)."""
    src, start = state.src, state.pos
    marker = src[start]
    if silent or marker not in "*_":
        return False
    end = start
    while end < state.posMax and src[end] == marker:
        end += 1
    before = src[start - 1] if start else " "
    after = src[end] if end < state.posMax else " "
    can_open, can_close = after not in _ASCII_BLANK, before not in _ASCII_BLANK
    if marker == "_":
        can_open = can_open and not _LETTERS_BEFORE.search(src, 0, start)
        can_close = can_close and not after.isalnum()
    for _ in range(end - start):
        token = state.push("text", "", 0)
        token.content = marker
        state.delimiters.append(
            Delimiter(marker=ord(marker), length=end - start, token=len(state.tokens) - 1, end=-1,
                      open=can_open, close=can_close)
        )
    state.pos = end
    return True


# kramdown 2.4's smart quote rules (parser/kramdown/smart_quotes.rb), in order. Ruby's \w, \s and
# \b are ASCII, hence re.ASCII. Each: the pattern, then what its groups become (an int keeps the
# group, a name is the curly quote for the quote in group 1 or 2, or a fixed one).
_SQ_PUNCT = r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_SQ_RULES = [
    (r"""(["'])(?=[_*]{1,2}\S)""", ["l1"]),
    (rf"""(["'])(?={_SQ_PUNCT}(?!\.\.)\B)""", ["r1"]),
    (r"""(\s?)"'(?=\w)""", [1, "“", "‘"]),
    (r"""(\s?)'"(?=\w)""", [1, "‘", "“"]),
    (r"""(\s?)'(?=\d\ds)""", [1, "’"]),
    (r"""(\s)(["'])(?=\w)""", [1, "l2"]),
    (r"""([^ \\\t\r\n\[{(-])(["'])""", [1, "r2"]),
    (r"""(["'])(?=\s|s\b|$)""", ["r1"]),
    (r"""(.?)(')""", [1, "‘"]),
    (r"""(.?)(")""", [1, "“"]),
]
_SQ_RULES = [(re.compile(rx, re.ASCII | re.MULTILINE | re.DOTALL), subst) for rx, subst in _SQ_RULES]
_CURLY = {("l", '"'): "“", ("l", "'"): "‘", ("r", '"'): "”", ("r", "'"): "’"}
# kramdown's typographic symbols (parser/kramdown/typographic_symbol.rb), longest first.
_TYPOGRAPHIC = re.compile(r"---|--|\.\.\.|<< | >>|<<|>>")
_SYMBOL = {"---": "—", "--": "–", "...": "…", "<< ": "«\xa0", " >>": "\xa0»", "<<": "«", ">>": "»"}


def _source(children):
    """The kramdown source around the inline's text, with where each text character came from.

    kramdown reads quotes and symbols from its source; a character it could see as plain text
    is one of a text token, others are markup.
    """
    chars, owners = [], []
    for index, token in enumerate(children):
        if token.type == "text":
            # A "*" or "_" left in text is a run kramdown tried as emphasis: not plain text.
            chars.append(token.content)
            owners += [None if c in "*_" else (index, offset) for offset, c in enumerate(token.content)]
            continue
        if token.type == "softbreak":
            text, plain = "\n", True
        elif token.type == "hardbreak":
            chars.append("  ")
            owners += [None, None]
            text, plain = "\n", True
        elif token.type == "code_inline":
            text, plain = token.markup + token.content + token.markup, False
        elif token.type == "link_open":
            text, plain = "[", False
        elif token.type == "link_close":
            text, plain = "](x)", False
        else:
            text, plain = token.markup or token.content, False
        chars.append(text)
        owners += [(index, None) if plain else None] * len(text)
    return "".join(chars), owners


def _typography(state):
    """kramdown's smart quotes and typographic symbols, on the text kramdown would see."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        src, owners = _source(children)
        if not any(c in src for c in "\"'-.<>"):
            continue
        edits = {}  # child index -> [(offset, length, replacement)]

        def text_at(i):
            return owners[i] is not None and owners[i][1] is not None

        def edit(i, length, replacement):
            index, offset = owners[i]
            edits.setdefault(index, []).append((offset, length, replacement))

        pos, n = 0, len(src)
        while pos < n:
            quote = next((i for i in range(pos, n) if src[i] in "\"'" and text_at(i)), None)
            symbol = _TYPOGRAPHIC.search(src, pos)
            while symbol and not all(text_at(i) for i in range(symbol.start(), symbol.end())):
                symbol = _TYPOGRAPHIC.search(src, symbol.start() + 1)
            start = None
            if quote is not None:
                start = quote - 1 if quote - 1 >= pos and owners[quote - 1] and src[quote - 1] != "\\" else quote
            if symbol and (start is None or symbol.start() < start):
                edit(symbol.start(), symbol.end() - symbol.start(), _SYMBOL[symbol.group()])
                pos = symbol.end()
                continue
            if start is None:
                break
            for pattern, subst in _SQ_RULES:
                match = pattern.match(src, start)
                if match:
                    break
            at = match.start()
            for part in subst:
                if isinstance(part, int):
                    at += len(match.group(part))
                    continue
                if len(part) == 2:  # "l1", "r2": the curly form of the quote in that group
                    part = _CURLY[part[0], match.group(int(part[1]))]
                if text_at(at):
                    edit(at, 1, part)
                at += 1
            pos = max(match.end(), start + 1)
        for index, changes in edits.items():
            content = children[index].content
            for offset, length, replacement in sorted(changes, reverse=True):
                content = content[:offset] + replacement + content[offset + length :]
            children[index].content = content


def _parser():
    md = MarkdownIt("zero")
    md.enable(["list", "newline", "escape", "backticks", "emphasis", "link", "entity"])
    md.inline.ruler.at("escape", _escape)
    md.inline.ruler.at("emphasis", _emphasis)
    md.inline.ruler.at("entity", _entity)
    md.core.ruler.before("text_join", "kramdown_typography", _typography)
    # kramdown writes a link's target as it is (no percent-encoding); jekyll.py lets only
    # allowed targets become links.
    md.normalizeLink = lambda url: url
    md.validateLink = jekyll.url_allowed
    return md


_MD = _parser()


def clean(markup: str) -> SafeString:
    return mark_safe(  # noqa: S308 - nh3 output is the sanitized HTML
        nh3.clean(markup, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL)
    )


# Text without any of these renders to itself, escaped (most titles and insights).
_MARKUP = re.compile(r"[\\`*_\[\]<>&!~|{}#\"'$:=]|--|\.\.|^[\s+\-\d]|\n|\s$")


def _inline(markdown: str) -> SafeString:
    if not _MARKUP.search(markdown):
        return mark_safe(html.escape(markdown, quote=False))  # noqa: S308 - escaped plain text
    return clean(_MD.renderInline(markdown))


def render(text: str) -> SafeString:
    """A summary (a Markdown block) as sanitized HTML."""
    markdown = jekyll.markdown_block(text or "")
    if markdown and not _MARKUP.search(markdown):
        return mark_safe(f"<p>{html.escape(markdown, quote=False)}</p>\n")  # noqa: S308 - escaped plain text
    return clean(_MD.render(markdown))


def render_inline(text: str) -> SafeString:
    """A title (inline Markdown) as sanitized HTML."""
    return _inline(jekyll.markdown_inline(text or ""))


def render_insight(label: str, text: str) -> SafeString:
    """An insight as its bullet reads: the bold label with its colon, then the text."""
    markdown = jekyll.markdown_insight(label or "", text or "")
    if label and not _MARKUP.search(label) and not _MARKUP.search(text or ""):
        # Plain words on both sides (most insights): what the parser makes of `**label:** text`, without
        # parsing it -- a page has ten of these, and parsing them was a third of an uncached page.
        bold, rest = markdown[2:].split(":**", 1)
        return mark_safe(f"<strong>{html.escape(bold, quote=False)}:</strong>{html.escape(rest, quote=False)}")  # noqa: S308
    return _inline(markdown)


@functools.lru_cache(maxsize=64)
def render_footer(text: str) -> SafeString:
    """The footer sentence, emphasized as the blog writes it."""
    # Remembered: a series writes the same footer under every post, and parsing it was a tenth of a page.
    return _inline(jekyll.markdown_footer(text or ""))


def safe_url(url: str) -> str:
    """The URL if a link may point to it (jekyll.url_allowed), else '' (a javascript: source never becomes a link)."""
    url = (url or "").strip()
    return url if jekyll.url_allowed(url) else ""


def text_of(markup: str) -> str:
    """Rendered HTML as the text a reader sees of it, blanks collapsed."""
    # Unescaped again: templates escape it once more on output.
    return " ".join(html.unescape(nh3.clean(str(markup), tags=set())).split())


def plain_text(text: str, limit: int | None = 200) -> str:
    """A summary as plain text, for descriptions and search; `limit` characters at most (None: all)."""
    text = text_of(render(text))
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
