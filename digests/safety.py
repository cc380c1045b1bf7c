"""Refuses post text that the blog would run as HTML: our site sanitizes, kramdown on the blog does not."""
import re

from django.utils.translation import gettext as _

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
        problems.append(_("%(where)s contains raw HTML %(html)r: write Markdown only")
                        % {"where": where, "html": match.group(0)[:40]})
    if _UNSAFE_LINK.search(text or ""):
        problems.append(_("%(where)s links to a javascript:, data: or file: address: use an http(s) link")
                        % {"where": where})
    return problems


def url_problems(where: str, url: str) -> list[str]:
    if url and not _SAFE_URL.match(url):
        return [_("%(where)s: the source URL %(url)r is not an http(s) address") % {"where": where, "url": url[:60]}]
    return []


def post_problems(post: jekyll.Post) -> list[str]:
    """Everything in the post that would reach blog readers as live HTML, each said so an editor can fix it."""
    problems = text_problems(_("the title"), post.title)
    for number, item in enumerate(post.items, start=1):
        where = _("item %(number)s") % {"number": number}
        problems += text_problems(_("%(item)s's title") % {"item": where}, item.title)
        problems += text_problems(_("%(item)s's summary") % {"item": where}, item.summary)
        for source in item.sources:
            problems += url_problems(where, source.url)
        for index, insight in enumerate(item.insights, start=1):
            problems += text_problems(_("%(item)s's insight %(index)s label") % {"item": where, "index": index},
                                      insight.label)
            problems += text_problems(_("%(item)s's insight %(index)s") % {"item": where, "index": index},
                                      insight.text)
    if post.footer:
        problems += text_problems(_("the footer"), post.footer)
    return problems
