"""Serialize digests to the blog's Jekyll posts and parse them back (stdlib + PyYAML only, no Django)."""

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
    "ParseWarning",
    "Post",
    "Source",
    "SUMMARY_HEADER",
    "INSIGHTS_HEADER",
    "LINK_TEXT",
    "decode",
    "parse",
    "permalink",
    "post_filename",
    "render",
]

SUMMARY_HEADER = "**📌 요약**"
INSIGHTS_HEADER = "**💡 시사점**"
LINK_TEXT = "🔗 원문 기사 보기"
SEOUL = ZoneInfo("Asia/Seoul")


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
    message: str

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
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
            "save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


# --------------------------------------------------------------------------- escaping
#
# Jekyll runs Liquid over the body before kramdown, and our own parser reads the body
# line by line, so text fields are escaped in two reversible layers: a Markdown layer
# (per line, applied first) and a Liquid layer (applied last, undone first).

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


# A line made only of these (and blanks) is a rule, setext underline or our separator.
_BREAK_CHARS = frozenset("-*_=\\")
# First characters that start a kramdown block inside a paragraph (header, quote, HTML,
# definition list, link definition, IAL, table, fence, math) -- all kramdown-escapable,
# and "\" itself so that every escaped line is recognisable by its leading backslash.
_ALWAYS_ESCAPE_FIRST = frozenset("#>\\<:[{|`$")
_ORDERED_LIST = re.compile(r"(\d+)(\\*)(\.)(?=[ \t]|$)")
_ORDERED_LIST_ESCAPED = re.compile(r"(\d+)\\(\\*\.)(?=[ \t]|$)")


def _is_break_line(rest: str) -> bool:
    return bool(rest) and all(c in _BREAK_CHARS or c in " \t" for c in rest)


def _needs_backslash(rest: str, *, insight: bool = False) -> bool:
    first = rest[0]
    if first in _ALWAYS_ESCAPE_FIRST:
        return True
    if first in "-+*" and (len(rest) == 1 or rest[1] in " \t"):
        return True  # list item
    if rest.startswith("*["):
        return True  # kramdown abbreviation definition
    if rest.startswith("**"):
        # An unlabelled insight must not look like "**label:** text"; a summary line
        # must not look like one of our section headers or the link line.
        return insight or _header_kind(rest) is not None or _LINK_START.match(rest) is not None
    return False


def _escape_line(line: str, *, insight: bool = False) -> str:
    """Markdown layer for one line.

    Leading blanks are kept; on the rest R:
      A. R made only of `-*_=\\` and blanks: backslash before every non-blank character;
      B. else if R would start a block (see _needs_backslash; always when R starts
         with `\\`): one `\\` in front;
      C. else if R starts `<digits><k backslashes>.` + blank/end: one more backslash
         before the dot (an ordered list item otherwise);
      D. else unchanged.
    A outputs start with `\\` and contain only break characters; B outputs start with
    `\\` but contain some other character (else R were case A); C and D outputs never
    start with `\\`; D outputs never match C's escaped shape. So _unescape_line can tell
    every output apart and the mapping is one-to-one for any text.
    """
    rest = line.lstrip(" \t")
    lead = line[: len(line) - len(rest)]
    if not rest:
        return line
    if _is_break_line(rest):
        return lead + "".join(c if c in " \t" else "\\" + c for c in rest)
    if _needs_backslash(rest, insight=insight):
        return lead + "\\" + rest
    m = _ORDERED_LIST.match(rest)
    if m:
        return lead + m.group(1) + "\\" + rest[m.end(1) :]
    return line


def _unescape_line(line: str) -> str:
    rest = line.lstrip(" \t")
    lead = line[: len(line) - len(rest)]
    if rest.startswith("\\"):
        if _is_break_line(rest):
            out, i, ok = [], 0, True
            while i < len(rest):
                if rest[i] in " \t":
                    out.append(rest[i])
                    i += 1
                elif rest[i] == "\\" and i + 1 < len(rest) and rest[i + 1] not in " \t":
                    out.append(rest[i + 1])
                    i += 2
                else:
                    ok = False
                    break
            if ok:
                return lead + "".join(out)
        return lead + rest[1:]
    m = _ORDERED_LIST_ESCAPED.match(rest)
    if m:
        return lead + m.group(1) + rest[m.start(2) :]
    return line


def _escape_title(title: str) -> str:
    # kramdown drops a closing " ###" run from a header; an escaped last "#" survives.
    if title.endswith("#"):
        title = title[:-1] + "\\#"
    return _liquid_escape(title)


def _unescape_title(raw: str) -> str:
    title = _liquid_unescape(raw)
    if title.endswith("\\#"):
        title = title[:-2] + "#"
    return title


_PAREN = re.compile(r"[()]")
_SPACE = re.compile(r"\s")


def _balanced_parens(url: str) -> bool:
    depth = 0
    # Only the parentheses matter: most URLs have none, and this runs for every item on export.
    for match in _PAREN.finditer(url):
        depth += 1 if match.group() == "(" else -1
        if depth < 0:
            return False
    return depth == 0


def _escape_url(url: str) -> str:
    # kramdown ends a bare link target at an unbalanced ")" or a blank; <...> holds any.
    # A URL that itself starts with "<" is always wrapped, so unwrapping one layer of
    # "<...>" when reading is exact.
    if url.startswith("<") or not _balanced_parens(url) or _SPACE.search(url):
        url = f"<{url}>"
    return _liquid_escape(url)


def _unescape_url(raw: str) -> str:
    url = _liquid_unescape(raw.strip())
    if len(url) >= 2 and url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    return url


def _escape_label(label: str) -> str:
    # Inside **...:** a "*" would close the bold early; "\" escapes itself.
    return _liquid_escape(label.replace("\\", "\\\\").replace("*", "\\*"))


def _unescape_label(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", _liquid_unescape(raw))


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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _summary_lines(summary: str) -> list[str]:
    lines = [ln.rstrip() for ln in summary.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def render(post: Post) -> str:
    """The canonical post text.

    Input is normalized the way the format needs: titles, labels, insight texts and the
    source URLs become single stripped lines, summary lines are right-stripped without leading
    or trailing blank lines, the date loses microseconds. An item without insights has
    no 💡 section, one without sources no `<br>`/link lines (one link line per source). With `footer=None` the text
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
        out += ["### " + _escape_title(_one_line(item.title)), "", SUMMARY_HEADER]
        out += [_liquid_escape(_escape_line(ln)) for ln in _summary_lines(item.summary)]
        out.append("")
        if item.insights:
            out.append(INSIGHTS_HEADER)
            for insight in item.insights:
                label, text = _one_line(insight.label), _one_line(insight.text)
                if label:
                    body = f"**{_escape_label(label)}:** {_liquid_escape(text)}"
                else:
                    body = _liquid_escape(_escape_line(text, insight=True))
                out.append(("-   " + body).rstrip())
            out.append("")
        urls = [url for url in (_one_line(source.url) for source in item.sources) if url]
        if urls:
            out.append("<br>")
            out += [f"**[{LINK_TEXT}]({_escape_url(url)})**" for url in urls]
            out.append("")
        out += ["---", ""]

    if post.footer is None:
        return "\n".join(out)
    footer_lines = [_liquid_escape(ln.strip()) for ln in post.footer.strip().split("\n")]
    footer_lines[0] = "*" + footer_lines[0]
    footer_lines[-1] = footer_lines[-1] + "*"
    out += ["<br>", ""]
    out += [f"> {ln}".rstrip() for ln in footer_lines]
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
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BULLET = re.compile(r"[-*+](?:[ \t]+(.*))?")
_HEADER = re.compile(r"\*\*(.{1,30}?)\*\*:?|\*\*(.{1,30}?):\*\*")
_LINK_START = re.compile(r"\*{0,2}\[([^\]]*)\]\((.*)")
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
    m = _LINK_START.match(stripped)
    if m and ("🔗" in m.group(1) or "원문" in m.group(1)):
        return m
    return None


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


class _Parser:
    def __init__(self, text: str, filename: str | None, default_tz: tzinfo):
        self.filename = filename
        self.default_tz = default_tz
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.warnings: list[ParseWarning] = []

    def fail(self, line: int, reason: str):
        raise JekyllFormatError(self.filename, line, reason)

    def warn(self, line: int, message: str):
        self.warnings.append(ParseWarning(self.filename, line, message))

    # ----------------------------------------------------------------- front matter

    def front_matter(self) -> tuple[dict, int]:
        if not self.lines or self.lines[0].rstrip() != "---":
            self.fail(1, "no front matter: a post must start with a line '---'")
        for index in range(1, len(self.lines)):
            if self.lines[index].rstrip() in ("---", "..."):
                end = index
                break
        else:
            self.fail(1, "the front matter opened here is never closed with a line '---'")
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
                f"the front matter is not valid YAML ({problem}); "
                "a value containing ': ', '#', '[' or quotes must be written in double quotes",
            )
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.fail(2, "the front matter must be 'key: value' lines")
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
            self.fail(line, "the front matter has no title")
        if isinstance(title, (list, dict)):
            self.fail(self.key_line("title", end), "the title must be text; put it in double quotes")
        title = str(title)

        if "date" not in fm:
            self.fail(end + 1, "the front matter has no date (write e.g. 'date:   2026-02-03 13:49:53 +0900')")
        raw_date = fm.pop("date")
        post_date = _parse_date(raw_date, self.default_tz)
        if post_date is None:
            self.fail(
                self.key_line("date", end),
                f"the date {raw_date!r} is not a date like '2026-02-03 13:49:53 +0900'",
            )

        layout = fm.pop("layout", None)
        if layout is None:
            self.warn(1, "the front matter has no layout; using 'default'")
            layout = "default"
        categories = fm.pop("categories", None)
        if categories is None:
            self.warn(1, "the front matter has no categories")
            categories = ""
        elif isinstance(categories, list):
            self.warn(self.key_line("categories", end), "categories written as a list; kept as a space-separated string")
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
                "the post has no item: each news item must start with a line '### <title>'",
            )
        post.warnings = self.warnings
        return post

    # ----------------------------------------------------------------- body

    def body(self, start: int) -> tuple[list[Item], str | None]:
        numbered = list(enumerate(self.lines[start:], start + 1))
        # Some posts indent every body line by one space; take that indent off.
        nonblank = [ln for _, ln in numbered if ln.strip()]
        if nonblank and all(ln.startswith(" ") for ln in nonblank):
            numbered = [(no, ln[1:]) for no, ln in numbered]
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

    # ------------------------------------------------------------ item assembly

    def start_item(self, no: int, title: str):
        self.finish_item()
        if len(self.items) == 5:
            self.p.warn(no, "a sixth item; digests have at most 5")
        self.items.append(Item(title=title, summary="", insights=[]))
        self.item_line = no
        self.state = "title"
        self.summary, self.insights, self.urls = [], [], []
        self.summary_seen = False
        if self.preamble:
            first = self.preamble[0][0]
            self.p.warn(first, "text before the first '### ' item; kept at the start of its summary")
            lines = [ln for _, ln in self.preamble]
            while lines and not lines[-1]:
                lines.pop()
            self.summary = lines + [""]
            self.preamble = []

    def finish_item(self):
        if not self.items or self.state == "done":
            return
        item = self.items[-1]
        lines = [_unescape_line(_liquid_unescape(ln.rstrip())) for ln in self.summary]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        item.summary = "\n".join(lines)
        item.insights = self.insights
        item.sources = [Source(url) for url in self.urls]
        if not self.summary_seen and not item.summary:
            self.p.warn(self.item_line, f"item '{item.title}' has no summary")
        self.state = "done"

    def keep_in_summary(self, no: int, line: str, why: str):
        self.p.warn(no, f"{why}; kept at the end of the item's summary")
        if self.summary and self.summary[-1]:
            self.summary.append("")  # a paragraph of its own, not glued to the summary
        self.summary.append(line.strip())

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
            footer = _liquid_unescape(footer)
        return self.items, footer

    def line(self, i: int, no: int, line: str) -> int:
        s = line.strip()
        state = self.state

        if state == "footer":
            if s.startswith(">"):
                self.footer.append(s[1:].strip())
                return i + 1
            if not s:
                return i + 1
            m = _item_header(s)
            if m:
                # A quote between items, not the footer: it belongs to the item before.
                self.p.warn(self.footer_line, "a '>' quote between items; kept at the end of the previous item's summary")
                item = self.items[-1]
                quote = "\n".join("> " + _liquid_unescape(f) for f in self.footer)
                item.summary = (item.summary + "\n\n" + quote).strip("\n")
                self.footer = None
                self.state = "done"
                return self.header(i, no, m)
            self.p.warn(no, "text after the footer; kept in the footer")
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
            self.preamble.append((no, line.rstrip()))
            return i + 1

        if _SEPARATOR.fullmatch(s):
            self.finish_item()
            self.state = "between"
            return i + 1

        kind = _header_kind(s)
        if kind == "summary" and state in ("title", "summary", "insights"):
            if state != "title" or self.summary_seen:
                self.p.warn(no, "a second 요약 header in one item; its text joins the summary")
            self.state = "summary"
            self.summary_seen = True
            return i + 1
        if kind == "insights" and state in ("title", "summary", "insights", "link"):
            self.state = "insights"
            return i + 1

        if _BR.fullmatch(s):
            if state in ("between", "done"):
                self.state = "between"
            elif state != "between":
                self.state = "link"
            return i + 1

        link = _link_line(s)
        if link and state not in ("between", "done"):
            return self.read_link(i, no, link)

        if s.startswith(">") and state in ("between", "done", "link", "after"):
            return self.start_footer(i, no, s)

        if state == "title":
            if not self.summary_seen:
                self.p.warn(no, "item text without a '📌 요약' header; read as the summary")
                self.summary_seen = True
            self.state = "summary"
            self.summary.append(line.rstrip())
            return i + 1
        if state == "summary":
            self.summary.append(line.rstrip())
            return i + 1
        if state == "insights":
            self.insight(no, s)
            return i + 1
        if state in ("link", "after"):
            self.keep_in_summary(no, line, "text after the link line")
            return i + 1
        # "between"/"done": after a separator, before the next item or the footer.
        if self.footer is None and not any(_item_header(ln.strip()) for _, ln in self.lines[i + 1 :]):
            self.p.warn(no, "closing text without '> *...*'; read as the footer")
            return self.start_footer(i, no, "> " + s)
        self.p.warn(no, "text between items; kept at the end of the previous item's summary")
        item = self.items[-1]
        item.summary = (item.summary + "\n" + _unescape_line(_liquid_unescape(s))).strip("\n")
        return i + 1

    def header(self, i: int, no: int, m: re.Match) -> int:
        if len(m.group(1)) != 3:
            self.p.warn(no, f"item title written with {len(m.group(1))} '#' instead of 3")
        self.start_item(no, _unescape_title((m.group(2) or "").strip()))
        return i + 1

    def start_footer(self, i: int, no: int, s: str) -> int:
        self.finish_item()
        self.state = "footer"
        self.footer = [s[1:].strip()]
        self.footer_line = no
        return i + 1

    def read_link(self, i: int, no: int, m: re.Match) -> int:
        if m.group(1).strip() != LINK_TEXT:
            self.p.warn(no, f"link text '{m.group(1).strip()}' will be written as '{LINK_TEXT}'")
        rest = m.group(2)
        j = i + 1
        # A URL broken over lines: join the following lines until the link closes.
        while not re.search(r"\)\**$", rest) and j < len(self.lines) and self.lines[j][1].strip():
            nxt = self.lines[j][1].strip()
            if _SEPARATOR.fullmatch(nxt) or _ITEM_HEADER.fullmatch(nxt):
                break
            rest += nxt
            j += 1
        end = re.search(r"\)\**$", rest)
        if end:
            url = rest[: end.start()]
        else:
            self.p.warn(no, "the link line is not closed with ')'; took the rest as the URL")
            url = rest
        self.urls.append(_unescape_url(url))
        self.state = "after"
        return j

    def insight(self, no: int, s: str):
        m = _BULLET.fullmatch(s)
        if m:
            content = (m.group(1) or "").strip()
        elif self.insights:
            self.p.warn(no, "a line continuing an insight bullet; joined to it with a space")
            last = self.insights[-1]
            last.text = (last.text + " " + _liquid_unescape(s)).strip()
            return
        else:
            self.p.warn(no, "an insight without a list marker; read as an insight")
            content = s
        if len(self.insights) == 3:
            self.p.warn(no, "more than 3 insights in one item")
        lm = _LABEL.fullmatch(content) or _LABEL_ALT.fullmatch(content)
        if lm:
            self.insights.append(Insight(_unescape_label(lm.group(1)).strip(), _liquid_unescape(lm.group(2)).strip()))
        else:
            self.insights.append(Insight("", _unescape_line(_liquid_unescape(content))))


def parse(text: str, filename: str | None = None, default_tz: tzinfo = SEOUL) -> Post:
    """Read a post; non-canonical but known variants are accepted, see FORMAT.md."""
    return _Parser(text, filename, default_tz).parse()
