"""Refuses post text that the blog would run as HTML: our site sanitizes, kramdown on the blog does not."""
import re

from . import jekyll

# A tag, comment or autolink: kramdown passes these through to the page as they are.
_RAW_HTML = re.compile(r"<!--.*?(?:-->|$)|<(?!br\s*/?\s*>)[/!?]?[a-zA-Z][^>]*>", re.IGNORECASE | re.DOTALL)
# Markdown links and images whose target would run script or embed data.
_UNSAFE_LINK = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|data|file)\s*:", re.IGNORECASE)
_SAFE_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)


def text_problems(where: str, text: str) -> list[str]:
    problems = []
    match = _RAW_HTML.search(text or "")
    if match:
        problems.append(f"{where} contains raw HTML {match.group(0)[:40]!r}: write Markdown only")
    if _UNSAFE_LINK.search(text or ""):
        problems.append(f"{where} links to a javascript:, data: or file: address: use an http(s) link")
    return problems


def url_problems(where: str, url: str) -> list[str]:
    if url and not _SAFE_URL.match(url):
        return [f"{where} source URL {url[:60]!r} is not an http(s) address"]
    return []


def post_problems(post: jekyll.Post) -> list[str]:
    """Everything in the post that would reach blog readers as live HTML, each said so an editor can fix it."""
    problems = text_problems("the title", post.title)
    for number, item in enumerate(post.items, start=1):
        where = f"item {number}"
        problems += text_problems(f"{where}'s title", item.title)
        problems += text_problems(f"{where}'s summary", item.summary)
        for source in item.sources:
            problems += url_problems(where, source.url)
        for index, insight in enumerate(item.insights, start=1):
            problems += text_problems(f"{where}'s insight {index} label", insight.label)
            problems += text_problems(f"{where}'s insight {index}", insight.text)
    if post.footer:
        problems += text_problems("the footer", post.footer)
    return problems
