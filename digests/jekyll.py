"""Serialize digests to the blog's Jekyll posts and parse them back (stdlib + PyYAML only, no Django).

The content model
-----------------
A digest's text is Markdown of one dialect, the same on every screen: the blog (kramdown, GFM
input, as Jekyll configures it), our reader site, the admin preview, the Atom feed and the search
text (digests/markdown.py renders it for all of ours).

- An item's summary is a Markdown block: paragraphs (a blank line between), line breaks (a line
  ending in two spaces; a plain line break shows as a space), bullet lists (`- `, `* `, `+ `) and
  numbered lists (`1. `), also right after a line of text, and the inline Markdown below.
- Titles, insight labels and texts and the footer are inline Markdown: emphasis (`*a*`, `_a_`),
  strong (`**a**`, `__a__`), code spans (`` `a` ``), links `[text](url)`, backslash escapes
  (kramdown's set), character references (`&amp;`), and kramdown's typography: smart quotes,
  `--` –, `---` —, `...` …, `<<` «, `>>` ». A label is shown bold, so `*` and `_` in it are text; the
  footer is one emphasized paragraph, so its `*`, `_` and `\\` are text and its blank lines go.
- Everything else kramdown knows is text: headers, block quotes, rules and setext underlines,
  code blocks (fenced or indented), tables, definition lists, footnotes, abbreviations, math,
  strikethrough, HTML and comments, autolinks, images, attribute lists and extensions
  (`{: ...}`, `{::...}`). Leading blanks of a summary line are not kept (no nested lists, no
  accidental code blocks), nor task-list boxes (`- [ ]`). A numbered list counts from 1 as
  kramdown shows it, and after a line of text starts only at 1 (kramdown would start one at any
  number, CommonMark does not: such a line stays text on every screen). A list right after a list
  of the other kind gets a blank line between (kramdown would nest it in the last item).
- A numeric character reference names a character: not NUL, a control, a surrogate or past
  U+10FFFF (refused_references; safety.py refuses them with the field named).
- A link points to an http(s) or mailto address without blanks, control characters, `<`, `>`,
  `"` or character references (url_allowed). Any other link is written so that kramdown shows it
  as text, as is HTML; digests/safety.py refuses both with the field named (refused_links,
  refused_html), and a refused source URL, and HTML in the post title (front matter, which the
  blog's layout prints as it is: front_matter_html).

How a post keeps it
-------------------
Jekyll runs Liquid over the body, then kramdown, and our parser reads the body line by line, so
each field is written in two layers. The Markdown layer puts a backslash before each character
that would start a construct outside the model (`|`, `{:`, `{#`, `<` before a letter, `/`, `!` or `?`,
`!` before `[`, `$$`, `~~`, the `(` of a refused link) and before what would break the post's
structure at a line start (a header, quote, rule, list marker inside an insight, a numbered line
kramdown would read as a list, a look-alike of a section header or link line). The Liquid layer
then hides `{{` and `{%`. The importer undoes both; a backslash before `| { < ! $ ~ # > : =` is
always the exporter's (the writer's escape shows the same), so such text comes back without it.
Our renderer reads the Markdown layer's text too (markdown_block, markdown_inline, ...), so the
blog and our screens parse the same characters.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date as _date
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import yaml

__all__ = [
    "Insight",
    "Item",
    "JekyllFormatError",
    "Message",
    "ParseWarning",
    "Post",
    "Source",
    "SUMMARY_HEADER",
    "INSIGHTS_HEADER",
    "LINK_TEXT",
    "decode",
    "front_matter_html",
    "gettext_noop",
    "markdown_block",
    "markdown_footer",
    "markdown_inline",
    "markdown_insight",
    "parse",
    "permalink",
    "post_filename",
    "refused_html",
    "refused_links",
    "refused_references",
    "render",
    "url_allowed",
]

SUMMARY_HEADER = "**📌 요약**"
INSIGHTS_HEADER = "**💡 시사점**"
LINK_TEXT = "🔗 원문 기사 보기"
SEOUL = ZoneInfo("Asia/Seoul")


# --------------------------------------------------------------------------- messages


def gettext_noop(template: str) -> str:
    """Marks a message template for translation; Django's makemessages extracts this name.

    An identity function, so this module stays free of Django: the Django side translates a
    Message with `gettext(message.template) % message.params` (digests/jekyll_io.py).
    """
    return template


class Message(str):
    """An English message (the str itself) that keeps its template and values for translation.

    `template` is marked with gettext_noop and uses `%(name)s` placeholders filled from `params`.
    """

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        self = super().__new__(cls, template % params if params else template)
        self.template = template
        self.params = params
        return self


# --------------------------------------------------------------------------- data


@dataclass
class Insight:
    label: str  # "" -> rendered "-   <text>"
    text: str


@dataclass
class Source:
    """One article an item rests on. The post holds only the URL; the outlet name is ours."""

    url: str
    name: str = ""


@dataclass
class Item:
    title: str
    summary: str  # Markdown, may span several lines
    insights: list[Insight] = field(default_factory=list)
    # In the post's order, one link line each; empty when the post had no link line.
    sources: list[Source] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [source.url for source in self.sources]


@dataclass
class ParseWarning:
    filename: str | None
    line: int
    message: str  # a Message from the parser

    def __str__(self) -> str:
        return f"{self.filename or '<string>'}:{self.line}: {self.message}"


@dataclass
class Post:
    title: str
    date: datetime  # timezone-aware
    categories: str = "tech"  # as in the front matter (space-separated string)
    layout: str = "default"
    items: list[Item] = field(default_factory=list)
    footer: str | None = None  # the footer sentence without "> *" and "*"
    extra: dict[str, object] = field(default_factory=dict)  # other front matter keys, in order
    warnings: list[ParseWarning] = field(default_factory=list, compare=False)


class JekyllFormatError(ValueError):
    def __init__(self, filename: str | None, line: int, reason: str):
        # `reason` is a Message: str() is English, jekyll_io translates its template.
        self.filename = filename
        self.line = line
        self.reason = reason
        super().__init__(f"{filename or '<string>'}:{line}: {reason}")


# --------------------------------------------------------------------------- file names


def post_filename(post_date: _date, slug: str) -> str:
    """`2026-02-03-daily-it-news.md`; an aware datetime counts in its own offset."""
    return f"{post_date:%Y-%m-%d}-{slug}.md"


def permalink(category: str, post_date: _date, slug: str) -> str:
    """Jekyll's default `/:categories/:year/:month/:day/:title.html`.

    Jekyll takes the date parts in the *site's* time zone (it calls Time#localtime), so
    this matches the blog only because its _config.yml sets `timezone: Asia/Seoul`.
    """
    parts = [c for c in category.split() if c]
    parts += [f"{post_date:%Y}", f"{post_date:%m}", f"{post_date:%d}", f"{slug}.html"]
    return "/" + "/".join(parts)


def decode(data: bytes, filename: str | None = None) -> str:
    """Decode a post file as UTF-8 (dropping a BOM), or say where it is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise JekyllFormatError(
            filename,
            line,
            Message(
                gettext_noop("not UTF-8 (byte 0x%(byte)s at byte offset %(offset)s); save the file as UTF-8"),
                byte=f"{data[exc.start]:02x}",
                offset=exc.start,
            ),
        ) from None
    return text.removeprefix("\ufeff")


# --------------------------------------------------------------------------- what may pass

_URL_ALLOWED = re.compile(r"(?:https?://|mailto:)[^\x00-\x20\x7f-\x9f<>\"]*", re.IGNORECASE)
_CHAR_REF = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_HTML_START = re.compile(r"<[A-Za-z/!?]")


def url_allowed(url: str) -> bool:
    """Whether a link may point to `url` on the blog (see the module docstring)."""
    # A browser decodes character references in an href before it reads the scheme:
    # "java&#9;script:" would run.
    return bool(_URL_ALLOWED.fullmatch(url)) and not _CHAR_REF.search(url)


def _tag_at(line: str, start: int) -> str:
    close = line.find(">", start)
    return line[start : close + 1] if 0 <= close < start + 40 else line[start : start + 40]


def front_matter_html(text: str) -> str | None:
    """The first tag in `text` (where the layout prints it unescaped: the post title), else None."""
    match = _HTML_START.search(text)
    return _tag_at(text, match.start()) if match else None


def refused_html(text: str) -> list[str]:
    """The tags, comments and autolinks kramdown would pass to the page from a field, in order
    (the exporter writes them as text)."""
    return [
        _tag_at(line, start)
        for line in text.split("\n")
        for start, _end, token in _tokens(line, 0)
        if token == "<" and _starts_construct(line, start)
    ]


_NUMERIC_REF = re.compile(r"&#(?:([0-9]+)|[xX]([0-9A-Fa-f]+));")


def refused_references(text: str) -> list[str]:
    """The numeric character references in a field that name no character every screen shows alike, in
    order: NUL, a control, a surrogate, past U+10FFFF (a surrogate or too large a number in a title or
    an insight stops kramdown, and with it the blog's whole build)."""
    refused = []
    for match in _NUMERIC_REF.finditer(text):
        decimal, hexadecimal = match.groups()
        code = int(decimal) if decimal else int(hexadecimal, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or (code < 0x20 and code not in (9, 10)) or 0x7F <= code <= 0x9F:
            refused.append(match.group(0))
    return refused


def refused_links(text: str) -> list[str]:
    """The targets of the links in a field that url_allowed refuses, in order."""
    refused = []
    for line in text.split("\n"):
        for start, end, token in _tokens(line, 0):
            if token == "](" and line.rfind("[", 0, start) > line.rfind("]", 0, start):
                refused.append(_target(line, end)[0])
    return refused


# --------------------------------------------------------------------------- the Markdown layer

_WS = " \t\n\r\f\v"  # ASCII blanks: a narrow no-break space (U+202F) in a title is text
_BLANKS = re.compile(r"[ \t\n\r\f\v]+")
# The backslash before one of these is always the exporter's (module docstring).
_OURS = frozenset("|{<!$~#>:=")
# Where the inline layer looks: an escape, a backtick run, a character that may start a
# construct outside the model, the "](" of a link. (One character class: an alternation would
# be tried at every position of every line, five times slower.)
_INLINE = re.compile(r"[\\`|{<!$~\]]")
_BREAK_CHARS = frozenset("-*_=")
_ESCAPED_BREAK = re.compile(r"[ \t]*\\[-*_=](?:[ \t]|\\[-*_=])*")
_ORDERED = re.compile(r"(\d+)([.)])(?=[ \t]|$)")
_ORDERED_ESCAPED = re.compile(r"(\d+)\\[.)]")
_DEFINITION = re.compile(r"\*?\[[^\]]*\]:")  # a link, footnote or abbreviation definition
_BULLET_START = re.compile(r"[-*+](?:[ \t]|$)")
_FENCE = re.compile(r"`{3,}")
_FENCE_ESCAPED = re.compile(r"(?:\\`){3,}")
# kramdown-parser-gfm turns an item starting "[ ] " or "[x] " into a checkbox.
_TASK = re.compile(r"(?:[-*+]|\d+[.)])[ \t]+(?=\[[ xX]\](?:[ \t]|$))")
_TASK_ESCAPED = re.compile(r"((?:[-*+]|\d+[.)])[ \t]+)\\(?=\[[ xX]\])")
_TASK_TEXT = re.compile(r"\[[ xX]\](?:[ \t]|$)")
# A line starting otherwise needs no line-start escape, is no list item and has no escape of ours there.
_STARTS = frozenset("#>:{|<-*_=+[`\\0123456789")


@functools.lru_cache(maxsize=16)
def _code_end(ticks: int) -> re.Pattern:
    return re.compile(rf"(?<!`){'`' * ticks}(?!`)")


_PLAIN_TARGET = re.compile(r"[^ \t()]*")


def _target(line: str, start: int) -> tuple[str, int]:
    """The link target kramdown reads after the "](" that ends at `start`, and where it ends."""
    i, n = start, len(line)
    while i < n and line[i] in " \t":
        i += 1
    if i < n and line[i] == "<":
        end = line.find(">", i)
        return (line[i + 1 : end], end + 1) if end > 0 else (line[i:], n)
    j = _PLAIN_TARGET.match(line, i).end()
    if j == n or line[j] != "(":  # it ends at a blank, the line's end or a ")": no parentheses to count
        return line[i:j], j
    depth = 0
    while j < n and line[j] not in " \t":
        if line[j] == "(":
            depth += 1
        elif line[j] == ")":
            if not depth:
                break
            depth -= 1
        j += 1
    return line[i:j], j


def _tokens(line: str, start: int, marks: re.Pattern = _INLINE):
    """(start, end, text) of each escape, refused "](" and `|{<!$~` character (or other `marks`) from `start` on.

    Code spans and the targets of allowed links are skipped: neither is Markdown to escape.
    """
    pos, n = start, len(line)
    while True:
        match = marks.search(line, pos)
        if match is None:
            return
        at = match.start()
        char = line[at]
        pos = at + 1
        if char == "\\":
            if pos == n:
                return
            pos += 1
        elif char == "`":
            while pos < n and line[pos] == "`":
                pos += 1
            end = _code_end(pos - at).search(line, pos)
            if end:
                pos = end.end()
            continue
        elif char == "]":
            if line[pos : pos + 1] != "(":
                continue
            pos += 1
            target, end = _target(line, pos)
            if url_allowed(target):
                pos = end
                continue
        yield at, pos, line[at:pos]


def _starts_construct(line: str, i: int) -> bool:
    char, after = line[i], line[i + 1 : i + 2]
    if char == "|":  # a table cell
        return True
    if char == "{":  # an attribute list or extension "{:", a header id "{#"; "{{" is Liquid's
        return after in (":", "#")
    if char == "<":  # HTML, comment, autolink
        return bool(after) and after.isascii() and (after.isalpha() or after in "/!?")
    if char == "!":  # image
        return after == "["
    return after == char or (i > 0 and line[i - 1] == char)  # "$$" math, "~~" strikethrough or fence


def _escape_inline(line: str, start: int = 0) -> str:
    """`line` with a backslash before what would start a construct outside the model, from `start` on."""
    if not _INLINE.search(line, start):
        return line
    out, last = [], 0
    for i, j, token in _tokens(line, start):
        if token == "](":
            out.append(line[last:i] + "]\\(")
        elif len(token) == 1 and _starts_construct(line, i):
            out.append(line[last:i] + "\\" + token)
        else:
            continue
        last = j
    out.append(line[last:])
    return "".join(out)


def _escaped(line: str, i: int) -> bool:
    backslashes = len(line[:i]) - len(line[:i].rstrip("\\"))
    return backslashes % 2 == 1


def _drop_ours(line: str) -> str:
    """`line` without the exporter's inline backslashes: `\\` before `| { < ! $ ~ # > : =`, or
    before the "(" of a refused link."""
    if "\\" not in line:
        return line
    out, last = [], 0
    for i, j, token in _tokens(line, 0):
        if token[0] != "\\":
            continue
        char = token[1]
        if char in _OURS or (
            char == "(" and line[i - 1 : i] == "]" and not _escaped(line, i - 1) and not url_allowed(_target(line, j)[0])
        ):
            out.append(line[last:i])
            last = i + 1
    out.append(line[last:])
    return "".join(out)


def _is_break_line(line: str) -> bool:
    return bool(line.strip(" \t")) and all(c in _BREAK_CHARS or c in " \t" for c in line)


def _numbered_needs_escape(match: re.Match, line: str, kind: str, after_text: bool, in_list: bool) -> bool:
    number, delimiter = match.groups()
    if kind == "inline" or delimiter == ")" or len(number) > 9 or match.end() == len(line):
        # Inside an insight any list is a nested one; "1)" and empty items are lists to
        # CommonMark only; ten digits and more to kramdown only.
        return True
    # kramdown starts a list at any number after a line of text, CommonMark only at 1.
    return after_text and not in_list and number != "1"


def _escape_start(line: str, kind: str, after_text: bool = True, in_list: bool = False) -> tuple[str, bool]:
    """The Markdown of one canonical line, and whether it starts a list item.

    `kind` "block" is a summary line (lists are Markdown), "inline" an insight or a footer
    line (a list would be a nested one). `after_text`/`in_list`: what the line before was.
    """
    if not line or line[0] not in _STARTS:  # most lines: a sentence
        return _escape_inline(line), False
    if _is_break_line(line):  # a rule or setext underline; the post's own separator
        return "".join(c if c in " \t" else "\\" + c for c in line), False
    first = line[0]
    fence = _FENCE.match(line)
    if fence and "`" not in line[fence.end() :]:  # every backtick: the rest of the run would open a code span
        return "\\`" * fence.end() + _escape_inline(line, fence.end())[fence.end() :], False
    if (
        first in "#>:{|<"
        or _DEFINITION.match(line)
        or (kind == "inline" and (_BULLET_START.match(line) or _TASK_TEXT.match(line)))
        or (kind == "block" and (_header_kind(line) or _link_line(line)))
    ):
        return "\\" + _escape_inline(line, 1), False
    numbered = _ORDERED.match(line)
    if numbered and _numbered_needs_escape(numbered, line, kind, after_text, in_list):
        at = numbered.end(1)
        text = _escape_inline(line, at)
        return text[:at] + "\\" + text[at:], False
    text = _escape_inline(line)
    task = kind == "block" and _TASK.match(line)
    if task:
        text = text[: task.end()] + "\\" + text[task.end() :]
    return text, bool(numbered or _BULLET_START.match(line))


def _unescape_start(text: str, kind: str, after_text: bool = True, in_list: bool = False) -> str:
    """The canonical line whose Markdown is `text` (the writer's own escapes stay)."""
    if not text or text[0] not in _STARTS:
        return _drop_ours(text)
    candidates = []
    fence = _FENCE_ESCAPED.match(text)
    if fence:
        candidates.append(text[: fence.end()].replace("\\", "") + _drop_ours(text[fence.end() :]))
    task = _TASK_ESCAPED.match(text)
    if task:
        candidates.append(_drop_ours(task.group(1) + text[task.end() :]))
    if text.startswith("\\"):
        if _ESCAPED_BREAK.fullmatch(text):
            candidates.append(text.replace("\\", ""))
        candidates.append(_drop_ours(text[1:]))
    numbered = _ORDERED_ESCAPED.match(text)
    if numbered:
        at = numbered.end(1)
        candidates.append(_drop_ours(text[:at] + text[at + 1 :]))
    for candidate in candidates:
        if _escape_start(candidate, kind, after_text, in_list)[0] == text:
            return candidate
    return _drop_ours(text)


def _list_state(line: str, item: bool, after_text: bool, in_list: bool) -> tuple[bool, bool]:
    """(after_text, in_list) for the line after `line`."""
    if not line:
        return False, in_list
    if item:
        return True, True
    return True, in_list and after_text  # text after a blank line ends a list


def _summary_lines(summary: str) -> list[str]:
    """A summary's canonical lines: without leading blanks nor blank first and last lines; two
    trailing spaces (a line break) stay only where a line of text follows."""
    raw = summary.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    texts = [line.strip(_WS) for line in raw]
    lines = []
    for n, (line, text) in enumerate(zip(raw, texts)):
        following = texts[n + 1] if n + 1 < len(texts) else ""
        lines.append(text + "  " if text and following and line.endswith("  ") else text)
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return _apart(lines)


def _apart(lines: list[str]) -> list[str]:
    """A blank line between a list and a list of the other kind right after it: kramdown would nest
    the second in the first's last item, CommonMark starts a new list."""
    out, after_text, in_list, kind = [], False, False, None
    for line in lines:
        body = _split_break(line)[0]
        item = _escape_start(_drop_ours(body), "block", after_text, in_list)[1]
        this = ("ordered" if body[:1].isdigit() else "bullet") if item else None
        if item and in_list and after_text and this != kind:
            out[-1] = _split_break(out[-1])[0]
            out.append("")
            after_text = False
        if item and not (in_list and after_text):
            kind = this
        out.append(line)
        after_text, in_list = _list_state(body, item, after_text, in_list)
    return out


def _split_break(line: str) -> tuple[str, str]:
    return (line[:-2], "  ") if line.endswith("  ") else (line, "")


def _summary_markdown(lines: list[str]) -> list[str]:
    # After the 📌 header's line kramdown starts a list at any number, as CommonMark does at the
    # start of the summary (our screens render it alone): the first line needs no escape.
    out, after_text, in_list = [], False, False
    for line in lines:
        body, line_break = _split_break(line)
        body = _drop_ours(body)
        text, item = _escape_start(body, "block", after_text, in_list)
        out.append(text + line_break)
        after_text, in_list = _list_state(body, item, after_text, in_list)
    return out


def _summary_field(markdown_lines: list[str]) -> str:
    out, after_text, in_list = [], False, False
    for line in _summary_lines("\n".join(markdown_lines)):
        text, line_break = _split_break(line)
        body = _unescape_start(text, "block", after_text, in_list)
        out.append(body + line_break)
        after_text, in_list = _list_state(body, _escape_start(body, "block", after_text, in_list)[1], after_text, in_list)
    return "\n".join(out)


_ODD_BLANKS = re.compile(r"[\t\n\r\f\v]|  ")


def _one_line(text: str) -> str:
    if not _ODD_BLANKS.search(text):  # most text: only single spaces already
        return text.strip(" ")
    return _BLANKS.sub(" ", text).strip(" ")


def markdown_block(summary: str) -> str:
    """A summary as kramdown reads it from the post (without the Liquid layer)."""
    return "\n".join(_summary_markdown(_summary_lines(summary)))


def markdown_inline(title: str) -> str:
    """A title as kramdown reads it from its `### ` line (without the Liquid layer)."""
    text = _escape_inline(_drop_ours(_one_line(title)))
    # kramdown drops a closing " #" run from a header; an escaped last "#" stays.
    return text[:-1] + "\\#" if text.endswith("#") else text


def _label_markdown(label: str) -> str:
    # Inside **...:** a "*" would close the bold early, and "__" at the label's edge is strong to CommonMark
    # but text to kramdown: "*" and "_" are text, and "\" escapes itself.
    return _escape_inline(label.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_"))


def _label_field(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def markdown_insight(label: str, text: str) -> str:
    """An insight bullet's content as kramdown reads it: `**label:** text`, or the text alone."""
    label, text = _one_line(label), _drop_ours(_one_line(text))
    if label:
        return f"**{_label_markdown(label)}:** {_escape_inline(text)}".rstrip()
    # Unlabelled text that starts "**x:**" is written as it is: it shows as the label x would.
    # One that starts "**x**:" gets "\\:" so that it stays text (the colon shows the same).
    alt = _LABEL_ALT.fullmatch(text)
    if alt and not _LABEL.fullmatch(text):
        colon = text.index(":", alt.end(1) + 2) if ":" in text[alt.end(1) + 2 : alt.start(2)] else -1
        if colon >= 0:
            text = text[:colon] + "\\" + text[colon:]
    return _escape_start(text, "inline")[0]


_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# What the footer's text escapes: "*", "_" and "\\" are text in it; "`" and "]" find the code spans and links.
_FOOTER_MARKS = re.compile(r"[\\`*_\]]")


def _footer_text(line: str) -> str:
    """A footer line with its `*`, `_` and `\\` made text, outside code spans and link targets."""
    out, last = [], 0
    for i, j, token in _tokens(line, 0, _FOOTER_MARKS):
        if token[0] == "\\":  # the writer's backslash is text, and so is what follows it
            out.append(line[last:i] + "\\\\" + ("\\" + token[1] if token[1] in "\\*_" else token[1]))
        elif token in ("*", "_"):
            out.append(line[last:i] + "\\" + token)
        else:
            continue
        last = j
    tail = line[last:]
    if (len(tail) - len(tail.rstrip("\\"))) % 2:  # a last backslash, which _tokens leaves: it would escape the "*"
        tail += "\\"
    out.append(tail)
    return "".join(out)


def markdown_footer(footer: str) -> str:
    """The footer as kramdown reads it inside its `> ` quote: `*sentence*`, one paragraph (a line each).

    The quote is emphasized, so `*`, `_` and `\\` are text in it, as `*` is in a label: an emphasis of the
    writer's would close the quote's (kramdown and CommonMark then disagree on what is left).
    """
    lines = []
    for line in footer.split("\n"):
        text = _footer_text(line.strip(_WS))
        if text:  # a blank line would end the emphasis and the quote's paragraph
            lines.append(_escape_start(text, "inline")[0])
    lines = lines or [""]
    if lines[0].startswith("[") and "]:" in lines[0]:  # "*[" ... "]:" would be an abbreviation's definition
        lines[0] = "\\" + lines[0]
    lines[0] = "*" + lines[0]
    lines[-1] += "*"
    return "\n".join(lines)


def _footer_field(lines: list[str]) -> str:
    # Every backslash escape of the footer's Markdown outside code spans and link targets is dropped (the
    # writer's own backslashes are doubled): the exporter's or, in a post we did not write, the blog's.
    return "\n".join(_drop_escapes(line) for line in lines)


def _drop_escapes(line: str) -> str:
    out, last = [], 0
    for i, _j, token in _tokens(line, 0):
        if token[0] == "\\" and token[1] in _ASCII_PUNCTUATION:
            out.append(line[last:i])
            last = i + 1
    out.append(line[last:])
    return "".join(out)


# --------------------------------------------------------------------------- the Liquid layer

_LIQUID_OPENERS = {"{{": '{{ "{{" }}', "{%": '{{ "{%" }}'}


# One regex pass each, left to right like a scan by hand, so a token produced by
# escaping is never re-read as text; a character loop here made import 5x slower.
_LIQUID_OPENER = re.compile(r"\{[{%]")
_LIQUID_TOKEN = re.compile("|".join(re.escape(token) for token in _LIQUID_OPENERS.values()))
_LIQUID_RAW = {token: raw for raw, token in _LIQUID_OPENERS.items()}


def _liquid_escape(text: str) -> str:
    if "{" not in text:
        return text
    return _LIQUID_OPENER.sub(lambda m: _LIQUID_OPENERS[m.group()], text)


def _liquid_unescape(text: str) -> str:
    if '{{ "{' not in text:
        return text
    return _LIQUID_TOKEN.sub(lambda m: _LIQUID_RAW[m.group()], text)


# --------------------------------------------------------------------------- link lines

_PAREN = re.compile(r"[()]")


def _balanced_parens(url: str) -> bool:
    depth = 0
    # Only the parentheses matter: most URLs have none, and this runs for every item on export.
    for match in _PAREN.finditer(url):
        depth += 1 if match.group() == "(" else -1
        if depth < 0:
            return False
    return depth == 0


def _link_target(url: str) -> str:
    """`(url)` for a source's link line; a refused URL is written `\\(url)`, which kramdown shows as text."""
    if not url_allowed(url):
        return "\\(" + _escape_inline(url) + ")"
    # kramdown ends a bare link target at an unbalanced ")"; <...> holds any.
    return f"(<{url}>)" if not _balanced_parens(url) else f"({url})"


def _source_url(raw: str, refused: bool) -> str:
    url = _liquid_unescape(raw.strip(_WS))
    if refused:
        return _drop_ours(url)
    if len(url) >= 2 and url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    return url


# --------------------------------------------------------------------------- render


def _yaml_dq(value: str) -> str:
    out = []
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif (
            code < 0x20
            or 0x7F <= code <= 0x9F
            or 0xD800 <= code <= 0xDFFF
            or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
        ):
            # YAML folds or rejects these inside a quoted scalar.
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_PLAIN_SCALAR = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/-]*")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RESERVED_KEYS = ("layout", "title", "date", "categories")


@functools.lru_cache(maxsize=256)  # a handful of layouts and categories, rendered for every post
def _yaml_plain_or_dq(value: str) -> str:
    if _PLAIN_SCALAR.fullmatch(value) and value == value.strip():
        # Words YAML 1.1 would read as bool/null/number must stay strings.
        if yaml.safe_load(value) == value:
            return value
    return _yaml_dq(value)


def _yaml_value(value: object) -> str:
    if isinstance(value, str):
        return _yaml_dq(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(_yaml_dq(v) for v in value) + "]"
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9)
    return dumped.removesuffix("\n...\n").strip()


def _has_value(value: object) -> bool:
    return value is not None and not (isinstance(value, (str, list, tuple, dict)) and not value)


def _format_date(value: datetime) -> str:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"Post.date must be a timezone-aware datetime, not {value!r}")
    return value.strftime("%Y-%m-%d %H:%M:%S %z")


def render(post: Post) -> str:
    """The canonical post text.

    Input is normalized the way the format needs: titles, labels, insight texts and the
    source URLs become single stripped lines, summaries their canonical lines (_summary_lines),
    the date loses microseconds. An item without insights has no 💡 section, one without
    sources no `<br>`/link lines (one link line per source). With `footer=None` the text
    ends with the last item's `---` line and one newline ("---\\n"); otherwise it ends
    with the footer quote and no final newline, as the golden post does.
    """
    for key in post.extra:
        if key in _RESERVED_KEYS:
            raise ValueError(f"Post.extra must not repeat the front matter key {key!r}")
    out = [
        "---",
        f"layout: {_yaml_plain_or_dq(post.layout)}",
        f"title:  {_yaml_dq(_one_line(post.title))}",
        f"date:   {_format_date(post.date)}",
    ]
    if post.categories.strip():
        out.append(f"categories: {_yaml_plain_or_dq(post.categories.strip())}")
    for key, value in post.extra.items():
        if _has_value(value):
            name = key if _PLAIN_KEY.fullmatch(key) else _yaml_dq(key)
            out.append(f"{name}: {_yaml_value(value)}")
    out += ["---", ""]

    for item in post.items:
        out += ["### " + _liquid_escape(markdown_inline(item.title)), "", SUMMARY_HEADER]
        out += [_liquid_escape(line) for line in _summary_markdown(_summary_lines(item.summary))]
        out.append("")
        if item.insights:
            out.append(INSIGHTS_HEADER)
            for insight in item.insights:
                out.append(("-   " + _liquid_escape(markdown_insight(insight.label, insight.text))).rstrip())
            out.append("")
        urls = [url for url in (_one_line(source.url) for source in item.sources) if url]
        if urls:
            out.append("<br>")
            out += [f"**[{LINK_TEXT}]{_liquid_escape(_link_target(url))}**" for url in urls]
            out.append("")
        out += ["---", ""]

    if post.footer is None:
        return "\n".join(out)
    out += ["<br>", ""]
    out += [f"> {_liquid_escape(line)}".rstrip() for line in markdown_footer(post.footer).split("\n")]
    return "\n".join(out)


# --------------------------------------------------------------------------- parse


# libyaml's parser when PyYAML has it: a tenth of the pure-Python parser's time per post.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NoTimestampLoader(_SafeLoader):
    """SafeLoader that leaves dates as text, so we read every date form ourselves."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"[ \t]*(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_ITEM_HEADER = re.compile(r"(#{1,6})(?:[ \t]+(.*))?")
_SEPARATOR = re.compile(r"([-*_])(?:[ \t]*\1){2,}")
_BR_LINK = re.compile(r"<br\s*/?>[ \t]*(?=\*{0,2}\[)", re.IGNORECASE)
_BULLET = re.compile(r"[-*+](?:[ \t]+(.*))?")
_HEADER = re.compile(r"\*\*(.{1,30}?)\*\*:?|\*\*(.{1,30}?):\*\*")
_LINK_START = re.compile(r"\*{0,2}\[([^\]]*)\](\\?)\((.*)")
_LINK_END = re.compile(r"\)\**$")
_LABEL = re.compile(r"\*\*((?:\\.|[^\\*])+?):\*\*[ \t]*(.*)")
_LABEL_ALT = re.compile(r"\*\*((?:\\.|[^\\*])+?)\*\*[ \t]*[:：][ \t]*(.*)")


def _item_header(stripped: str) -> re.Match | None:
    # "#", "##" alone are not titles, "### " alone is an item with an empty title.
    m = _ITEM_HEADER.fullmatch(stripped)
    if m and (m.group(2) is not None or len(m.group(1)) == 3):
        return m
    return None


def _emphasized(text: str) -> bool:
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "*_"


def _header_kind(stripped: str) -> str | None:
    """'summary' / 'insights' for a bold section header, known by emoji or word."""
    m = _HEADER.fullmatch(stripped)
    if not m:
        return None
    inner = m.group(1) or m.group(2)
    if "📌" in inner:
        return "summary"
    if "💡" in inner:
        return "insights"
    if "요약" in inner:
        return "summary"
    if "시사점" in inner:
        return "insights"
    return None


def _link_line(stripped: str) -> re.Match | None:
    """A source's link line: the whole line is the link (its URL may go on over the next lines), or it
    starts with the blog's 🔗 link (more of them, or text, may follow)."""
    m = _LINK_START.match(stripped)
    if not m or not ("🔗" in m.group(1) or "원문" in m.group(1)):
        return None
    rest = m.group(3)
    if _LINK_END.search(rest) or (")" not in rest and not _BLANKS.search(rest)):
        return m
    if "🔗" in m.group(1) and not m.group(2) and _read_links(_liquid_unescape(rest)):
        return m
    return None


_LINK_TITLE = re.compile(r"""[ \t]+(?:"[^"]*"|'[^']*')""")
_LINK_CLOSE = re.compile(r"[ \t]*\)\**")
_NEXT_LINK = re.compile(r"(?:[ \t]|<br\s*/?>)*\*{0,2}\[([^\]]*)\]\(", re.IGNORECASE)
_ONLY_BREAKS = re.compile(r"(?:[ \t]|<br\s*/?>)*", re.IGNORECASE)


def _read_links(rest: str) -> tuple[list[str], str] | None:
    """The targets of a link line's 🔗 links (`rest` starts at the first one's target) and the text after
    them (`<br>`s alone are none), or None when the first link does not close. A link's title is dropped."""
    urls, pos, tail = [], 0, 0
    while True:
        target, end = _target(rest, pos)
        title = _LINK_TITLE.match(rest, end)
        close = _LINK_CLOSE.match(rest, title.end() if title else end)
        if not (target and close):
            break
        urls.append(target)
        pos = tail = close.end()
        following = _NEXT_LINK.match(rest, pos)
        if not following or "🔗" not in following.group(1):
            break
        pos = following.end()
    if not urls:
        return None
    text = rest[tail:]
    return urls, "" if _ONLY_BREAKS.fullmatch(text) else text.strip(_WS)


def _common_indent(lines) -> int:
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip(_WS)]
    return min(widths, default=0)


def _parse_date(raw: object, default_tz: tzinfo) -> datetime | None:
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=default_tz)
    if isinstance(raw, _date):
        return datetime(raw.year, raw.month, raw.day, tzinfo=default_tz)
    if not isinstance(raw, str):
        return None
    m = _DATE.fullmatch(raw.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, offset = m.groups()
    try:
        naive = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if offset is None:
        return naive.replace(tzinfo=default_tz)
    if offset == "Z":
        delta = timedelta(0)
    else:
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        if offset[0] == "-":
            delta = -delta
    if delta >= timedelta(hours=24):
        return None
    # Prefer the named zone when the offset agrees with it, so callers see Asia/Seoul.
    local = naive.replace(tzinfo=default_tz)
    if local.utcoffset() == delta:
        return local
    return naive.replace(tzinfo=timezone(delta))


_CLOSING_HASHES = re.compile(r"[ \t]+#+$")
_BR_RUN = re.compile(r"[ \t]*(?:<br\s*/?>[ \t]*)+", re.IGNORECASE)


def _br_parts(line: str) -> list[str]:
    """`line` cut at its runs of `<br>` outside code spans: the blog's line breaks inside a line."""
    if "<" not in line:  # most lines
        return [line]
    parts, last = [], 0
    for start, _end, token in _tokens(line, 0):
        run = _BR_RUN.match(line, start) if token == "<" and start >= last else None
        if run:
            parts.append(line[last:start])
            last = run.end()
    return [*parts, line[last:]]


class _Parser:
    def __init__(self, text: str, filename: str | None, default_tz: tzinfo):
        self.filename = filename
        self.default_tz = default_tz
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.warnings: list[ParseWarning] = []

    def fail(self, line: int, template: str, **params):
        raise JekyllFormatError(self.filename, line, Message(template, **params))

    def warn(self, line: int, template: str, **params):
        self.warnings.append(ParseWarning(self.filename, line, Message(template, **params)))

    # ----------------------------------------------------------------- front matter

    def front_matter(self) -> tuple[dict, int]:
        if not self.lines or self.lines[0].rstrip() != "---":
            self.fail(1, gettext_noop("no front matter: a post must start with a line '---'"))
        for index in range(1, len(self.lines)):
            if self.lines[index].rstrip() in ("---", "..."):
                end = index
                break
        else:
            self.fail(1, gettext_noop("the front matter opened here is never closed with a line '---'"))
        source = "\n".join(self.lines[1:end])
        try:
            data = yaml.load(source, Loader=_NoTimestampLoader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            mark = getattr(exc, "problem_mark", None)
            if "end of stream" in problem and getattr(exc, "context_mark", None):
                mark = exc.context_mark  # where the unclosed quote or bracket began
            line = mark.line + 2 if mark is not None else 2
            self.fail(
                line,
                gettext_noop(
                    "the front matter is not valid YAML (%(problem)s); "
                    "a value containing ': ', '#', '[' or quotes must be written in double quotes"
                ),
                problem=problem,
            )
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.fail(2, gettext_noop("the front matter must be 'key: value' lines"))
        return data, end

    def key_line(self, key: str, end: int) -> int:
        for index in range(1, end):
            if re.match(rf"{re.escape(key)}\s*:", self.lines[index]):
                return index + 1
        return 1

    # ----------------------------------------------------------------- whole post

    def parse(self) -> Post:
        data, end = self.front_matter()
        fm = dict(data)

        title = fm.pop("title", None)
        if title is None or (isinstance(title, str) and not title.strip()):
            line = self.key_line("title", end) if "title" in fm or title is not None else end + 1
            self.fail(line, gettext_noop("the front matter has no title"))
        if isinstance(title, (list, dict)):
            self.fail(self.key_line("title", end), gettext_noop("the title must be text; put it in double quotes"))
        title = str(title)

        if "date" not in fm:
            self.fail(end + 1, gettext_noop("the front matter has no date (write e.g. 'date:   2026-02-03 13:49:53 +0900')"))
        raw_date = fm.pop("date")
        post_date = _parse_date(raw_date, self.default_tz)
        if post_date is None:
            self.fail(
                self.key_line("date", end),
                gettext_noop("the date %(value)s is not a date like '2026-02-03 13:49:53 +0900'"),
                value=repr(raw_date),
            )

        layout = fm.pop("layout", None)
        if layout is None:
            self.warn(1, gettext_noop("the front matter has no layout; using 'default'"))
            layout = "default"
        categories = fm.pop("categories", None)
        if categories is None:
            self.warn(1, gettext_noop("the front matter has no categories"))
            categories = ""
        elif isinstance(categories, list):
            self.warn(self.key_line("categories", end), gettext_noop("categories written as a list; kept as a space-separated string"))
            categories = " ".join(str(c) for c in categories)

        post = Post(
            title=title,
            date=post_date,
            categories=str(categories),
            layout=str(layout),
            extra=fm,
        )
        post.items, post.footer = self.body(end + 1)
        if not post.items:
            body_lines = [no for no, ln in enumerate(self.lines[end + 1 :], end + 2) if ln.strip()]
            self.fail(
                body_lines[0] if body_lines else end + 1,
                gettext_noop("the post has no item: each news item must start with a line '### <title>'"),
            )
        post.warnings = self.warnings
        return post

    # ----------------------------------------------------------------- body

    def body(self, start: int) -> tuple[list[Item], str | None]:
        numbered = list(enumerate(self.lines[start:], start + 1))
        # Some posts indent every body line by one space, others every line after the first
        # item's heading by four (which kramdown showed as code): take off the shared indent.
        indent = _common_indent(line for _, line in numbered)
        after = 0
        if not indent:
            first = next((k for k, (_, line) in enumerate(numbered) if _item_header(line.strip(_WS))), None)
            if first is not None:
                after = first + 1
                indent = _common_indent(line for _, line in numbered[after:])
        if indent:
            numbered[after:] = [(no, line[indent:]) for no, line in numbered[after:]]
        return _BodyReader(self, numbered).read()


class _BodyReader:
    """A line-by-line state machine over the post body."""

    def __init__(self, parser: _Parser, numbered: list[tuple[int, str]]):
        self.p = parser
        self.lines = numbered
        self.items: list[Item] = []
        self.footer: list[str] | None = None
        self.footer_line = 0
        self.state = "preamble"
        self.preamble: list[tuple[int, str]] = []
        self.summary: list[str] = []
        self.summary_seen = False
        self.insights: list[Insight] = []
        self.urls: list[str] = []
        self.item_line = 0
        self.after_br = False

    # ------------------------------------------------------------ item assembly

    def start_item(self, no: int, title: str):
        self.finish_item()
        if len(self.items) == 5:
            self.p.warn(no, gettext_noop("a sixth item; digests have at most 5"))
        self.items.append(Item(title=title, summary="", insights=[]))
        self.item_line = no
        self.state = "title"
        self.summary, self.insights, self.urls = [], [], []
        self.summary_seen = self.after_br = False
        if self.preamble:
            first = self.preamble[0][0]
            self.p.warn(first, gettext_noop("text before the first '### ' item; kept at the start of its summary"))
            lines = [ln for _, ln in self.preamble]
            while lines and not lines[-1]:
                lines.pop()
            self.summary = lines + [""]
            self.preamble = []

    def finish_item(self):
        if not self.items or self.state == "done":
            return
        item = self.items[-1]
        item.summary = _summary_field([_liquid_unescape(line) for line in self.summary])
        item.insights = self.insights
        item.sources = [Source(url) for url in self.urls]
        if not self.summary_seen and not item.summary:
            self.p.warn(self.item_line, gettext_noop("item '%(title)s' has no summary"), title=item.title)
        self.state = "done"

    def summary_line(self, line: str):
        """A line of the summary; a `<br>` in it is a line break (a line ending in two spaces)."""
        parts = _br_parts(line)
        if len(parts) == 1:
            self.summary.append(line)
            return
        parts = [parts[0].rstrip(_WS), *(part.strip(_WS) for part in parts[1:])]
        if not parts[0].strip(_WS) and self.summary and self.summary[-1].strip(_WS):
            self.summary[-1] = self.summary[-1].rstrip(_WS) + "  "  # the line began with a break
        texts = [part for part in parts if part.strip(_WS)]
        self.summary += [text + "  " for text in texts[:-1]] + texts[-1:]
        if texts and not parts[-1]:
            self.summary[-1] += "  "  # it ended with one: a break before the next line

    def keep_in_summary(self, no: int, line: str, template: str):
        self.p.warn(no, template)
        while self.summary and not self.summary[-1]:
            self.summary.pop()
        if self.summary:
            self.summary.append("")  # a paragraph of its own, not glued to the summary
        self.summary.append(line.strip(_WS))

    # ------------------------------------------------------------ reading

    def read(self) -> tuple[list[Item], str | None]:
        i = 0
        while i < len(self.lines):
            no, line = self.lines[i]
            i = self.line(i, no, line)
        self.finish_item()
        footer = None
        if self.footer is not None:
            footer = "\n".join(self.footer).strip()
            if _emphasized(footer):
                footer = footer[1:-1]
            else:
                # Text we added after a one-line footer: unwrap each line on its own.
                footer = "\n".join(ln[1:-1] if _emphasized(ln) else ln for ln in footer.split("\n"))
            footer = _footer_field(_liquid_unescape(footer).split("\n"))
        return self.items, footer

    def line(self, i: int, no: int, line: str) -> int:
        s = line.strip(_WS)
        state = self.state

        if state == "footer":
            if s.startswith(">"):
                self.footer.append(s[1:].strip(_WS))
                return i + 1
            if not s:
                return i + 1
            m = _item_header(s)
            if m:
                # A quote between items, not the footer: it belongs to the item before.
                self.p.warn(self.footer_line, gettext_noop("a '>' quote between items; kept at the end of the previous item's summary"))
                item = self.items[-1]
                quote = "\n".join("> " + _liquid_unescape(f) for f in self.footer)
                item.summary = (item.summary + "\n\n" + quote).strip("\n")
                self.footer = None
                self.state = "done"
                return self.header(i, no, m)
            self.p.warn(no, gettext_noop("text after the footer; kept in the footer"))
            self.footer.append(s)
            return i + 1

        if not s:
            if state in ("summary", "title") and self.summary_seen:
                self.summary.append("")
            elif state == "preamble" and self.preamble:
                self.preamble.append((no, ""))
            return i + 1

        m = _item_header(s)
        if m:
            return self.header(i, no, m)

        if state == "preamble":
            self.preamble.append((no, line))
            return i + 1

        if _SEPARATOR.fullmatch(s):
            self.finish_item()
            self.state = "between"
            return i + 1

        kind = _header_kind(s)
        if kind == "summary" and state in ("title", "summary", "insights"):
            if state != "title" or self.summary_seen:
                self.p.warn(no, gettext_noop("a second 요약 header in one item; its text joins the summary"))
            self.state = "summary"
            self.summary_seen = True
            return i + 1
        if kind == "insights" and state in ("title", "summary", "insights", "link"):
            self.state = "insights"
            return i + 1

        if _BR_RUN.fullmatch(s):
            # Before the link lines, or in place of a blank line between the parts of an item.
            if state == "done":
                self.state = "between"
            elif state in ("summary", "title") and self.summary_seen:
                self.summary.append("")
            elif state == "insights":
                self.after_br = True
            return i + 1
        br_link = _BR_LINK.match(s)
        if br_link:
            s = s[br_link.end() :]

        link = _link_line(s)
        if link and state not in ("between", "done"):
            return self.read_link(i, no, link)

        if s.startswith(">") and state in ("between", "done", "link", "after"):
            return self.start_footer(i, no, s)

        if state == "title":
            if not self.summary_seen:
                self.p.warn(no, gettext_noop("item text without a '📌 요약' header; read as the summary"))
                self.summary_seen = True
            self.state = "summary"
            self.summary_line(line)
            return i + 1
        if state == "summary":
            self.summary_line(line)
            return i + 1
        if state == "insights":
            if self.after_br and not _BULLET.fullmatch(s):
                self.keep_in_summary(no, line, gettext_noop("text after a '<br>' line; kept at the end of the item's summary"))
                return i + 1
            parts = _br_parts(s)
            if len(parts) > 1:
                parts = [part.strip(_WS) for part in parts]
                if any(parts[1:-1]) or (parts[-1] and parts[0]):
                    self.p.warn(no, gettext_noop("a '<br>' inside an insight; an insight is one line, so it is a space"))
                s = " ".join(part for part in parts if part)
            self.insight(no, s)
            return i + 1
        if state in ("link", "after"):
            self.keep_in_summary(no, line, gettext_noop("text after the link line; kept at the end of the item's summary"))
            return i + 1
        # "between"/"done": after a separator, before the next item or the footer.
        if self.footer is None and not any(_item_header(ln.strip()) for _, ln in self.lines[i + 1 :]):
            self.p.warn(no, gettext_noop("closing text without '> *...*'; read as the footer"))
            return self.start_footer(i, no, "> " + s)
        self.p.warn(no, gettext_noop("text between items; kept at the end of the previous item's summary"))
        item = self.items[-1]
        item.summary = (item.summary + "\n" + _unescape_start(_liquid_unescape(s), "block")).strip("\n")
        return i + 1

    def header(self, i: int, no: int, m: re.Match) -> int:
        if len(m.group(1)) != 3:
            self.p.warn(no, gettext_noop("item title written with %(count)s '#' instead of 3"), count=len(m.group(1)))
        # kramdown (GFM) drops a closing run of "#" after a blank, as the blog showed the title.
        title = _CLOSING_HASHES.sub("", (m.group(2) or "").strip(_WS))
        self.start_item(no, _drop_ours(_liquid_unescape(title)))
        return i + 1

    def start_footer(self, i: int, no: int, s: str) -> int:
        self.finish_item()
        self.state = "footer"
        self.footer = [s[1:].strip(_WS)]
        self.footer_line = no
        return i + 1

    def read_link(self, i: int, no: int, m: re.Match) -> int:
        if m.group(1).strip() != LINK_TEXT:
            self.p.warn(
                no,
                gettext_noop("link text '%(text)s' will be written as '%(link_text)s'"),
                text=m.group(1).strip(),
                link_text=LINK_TEXT,
            )
        rest = m.group(3)
        j = i + 1
        # A URL broken over lines: join the following lines until the link closes.
        while not _LINK_END.search(rest) and j < len(self.lines) and self.lines[j][1].strip(_WS):
            nxt = self.lines[j][1].strip(_WS)
            if _SEPARATOR.fullmatch(nxt) or _ITEM_HEADER.fullmatch(nxt):
                break
            rest += nxt
            j += 1
        self.state = "after"
        links = None if m.group(2) else _read_links(_liquid_unescape(rest))
        if links:
            urls, text = links
            if len(urls) > 1:
                self.p.warn(no, gettext_noop("%(count)d links on one line; the export writes a line each"),
                            count=len(urls))
            self.urls += urls
            if text:
                self.keep_in_summary(no, text, gettext_noop(
                    "text after the link on its line; kept at the end of the item's summary"))
            return j
        # A refused URL, which the exporter writes `\\(...)`: up to the line's last ")".
        end = _LINK_END.search(rest)
        if end:
            url = rest[: end.start()]
        else:
            self.p.warn(no, gettext_noop("the link line is not closed with ')'; took the rest as the URL"))
            url = rest
        self.urls.append(_source_url(url, refused=bool(m.group(2))))
        return j

    def insight(self, no: int, s: str):
        m = _BULLET.fullmatch(s)
        if m:
            self.after_br = False
            content = (m.group(1) or "").strip(_WS)
        elif self.insights:
            self.p.warn(no, gettext_noop("a line continuing an insight bullet; joined to it with a space"))
            last = self.insights[-1]
            last.text = (last.text + " " + _drop_ours(_liquid_unescape(s))).strip(_WS)
            return
        else:
            self.p.warn(no, gettext_noop("an insight without a list marker; read as an insight"))
            content = s
        if len(self.insights) == 3:
            self.p.warn(no, gettext_noop("more than 3 insights in one item"))
        lm = _LABEL.fullmatch(content) or _LABEL_ALT.fullmatch(content)
        if lm:
            label = _label_field(_liquid_unescape(lm.group(1))).strip(_WS)
            self.insights.append(Insight(label, _drop_ours(_liquid_unescape(lm.group(2)).strip(_WS))))
        else:
            self.insights.append(Insight("", _unescape_start(_liquid_unescape(content), "inline")))


def parse(text: str, filename: str | None = None, default_tz: tzinfo = SEOUL) -> Post:
    """Read a post; non-canonical but known variants are accepted, see FORMAT.md."""
    return _Parser(text, filename, default_tz).parse()
