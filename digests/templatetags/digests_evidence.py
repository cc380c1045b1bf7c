"""{% evidence_for item as review %}: an item's sentences with their verdicts and quotes, for the review screen."""
from django import template

from .. import evidence

register = template.Library()


@register.simple_tag
def evidence_for(item):
    return evidence.review(item)
