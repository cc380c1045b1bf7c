"""Refuses post text the blog must not get, naming the field: jekyll.py defines what may pass, and
its exporter shows everything else kramdown knows as text."""
from django.utils.translation import gettext as _

from . import jekyll


def text_problems(where, text: str) -> list[str]:
    """HTML, links to refused addresses and references naming no character in one Markdown field; `where` names it
    for the editor (a string, or a function giving it: most fields pass, and naming each costs more than checking it)."""
    text = text or ""
    html, links = jekyll.refused_html(text)[:1], jekyll.refused_links(text)[:1]
    if not (html or links):
        return reference_problems(where, text)
    where = where() if callable(where) else where
    problems = [_("%(where)s contains raw HTML %(html)s: write Markdown only") % {"where": where, "html": repr(found)}
                for found in html]
    problems += [
        _("%(where)s links to %(target)s: a link must point to an http(s) or mailto address")
        % {"where": where, "target": repr(target[:60])}
        for target in links
    ]
    return problems + reference_problems(where, text)


def reference_problems(where, text: str) -> list[str]:
    """A character reference naming no character (jekyll.refused_references), in any field the blog prints."""
    found = jekyll.refused_references(text)[:1] if "&#" in (text or "") else []
    if not found:
        return []
    where = where() if callable(where) else where
    return [_("%(where)s contains %(reference)s, which names no character the blog can show: write the character "
              "itself, or remove it") % {"where": where, "reference": repr(found[0][:20])}]


def url_problems(where, url: str) -> list[str]:
    if url and not jekyll.url_allowed(url):
        where = where() if callable(where) else where
        return [_("%(where)s source URL %(url)s is not an http(s) address") % {"where": where, "url": repr(url[:60])}]
    return []


def post_problems(post: jekyll.Post) -> list[str]:
    """Everything in the post the blog must not get, each said so an editor can fix it."""
    problems = []
    # The layout prints the title as it is: no Markdown layer can make a tag there text.
    html = jekyll.front_matter_html(post.title)
    if html:
        problems.append(_("the title contains raw HTML %(html)s: write Markdown only") % {"html": repr(html)})
    problems += reference_problems(_("the title"), post.title)
    for number, item in enumerate(post.items, start=1):
        problems += text_problems(lambda: _("item %(number)d's title") % {"number": number}, item.title)
        problems += text_problems(lambda: _("item %(number)d's summary") % {"number": number}, item.summary)
        for source in item.sources:
            problems += url_problems(lambda: _("item %(number)d") % {"number": number}, source.url)
        for index, insight in enumerate(item.insights, start=1):
            names = {"number": number, "index": index}
            problems += text_problems(lambda: _("item %(number)d's insight %(index)d label") % names, insight.label)
            problems += text_problems(lambda: _("item %(number)d's insight %(index)d") % names, insight.text)
    if post.footer:
        problems += text_problems(_("the footer"), post.footer)
    return problems
