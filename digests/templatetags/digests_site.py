"""Template filters for the reader site: sanitized Markdown, safe links, pagination links."""
from django import template
from django.utils.http import urlencode

from .. import markdown
from ..models import outlet_domain

register = template.Library()


@register.filter
def md(text):
    return markdown.render(text)


@register.filter
def md_inline(text):
    return markdown.render_inline(text)


def _field(value, name):
    # Snapshots hold dicts, previews jekyll.Post objects.
    return value.get(name, "") if isinstance(value, dict) else getattr(value, name, "")


@register.filter
def md_insight(insight):
    """An insight as its bullet reads on the blog: bold label and colon, then the text."""
    return markdown.render_insight(_field(insight, "label"), _field(insight, "text"))


@register.filter
def md_footer(text):
    return markdown.render_footer(text)


@register.filter
def safe_url(url):
    return markdown.safe_url(url)


@register.filter
def domain(url):
    """The outlet's host, shown beside each source link."""
    return outlet_domain(url)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query with another page number (series filter and search query kept)."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + urlencode(sorted(params.lists()), doseq=True)
