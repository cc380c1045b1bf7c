"""What an imported post's front matter and file name make of a digest: its series when the category is new,
its date and slug, its tags, and the column limits it must fit. A post that cannot be stored is refused here,
naming what to change; what can be read another way is a warning."""
import datetime as dt
import functools
import logging
import re

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _, gettext_noop

from .models import Digest, Insight, ItemSource, NewsItem, Series

log = logging.getLogger(__name__)

FILE_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(.+)\.(?:md|markdown)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What check_lengths names when a value is too long for its column (translated only then).
_LIMITED = {
    "title": gettext_noop("the title"),
    "slug": gettext_noop("the file name's slug"),
    "item_title": gettext_noop("item %(number)d's title"),
    "source_url": gettext_noop("item %(number)d's source URL %(index)d"),
    "insight_label": gettext_noop("item %(number)d's insight %(index)d label"),
}


class ImportRefused(Exception):
    """A post that parsed but cannot be stored; nothing of it is kept."""

    def __init__(self, reason, line=None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


def file_date(name):
    """The date a post's file name starts with, or None."""
    match = FILE_NAME.fullmatch(name)
    try:
        return dt.date(*map(int, match.groups()[:3])) if match else None
    except ValueError:
        return None


@functools.cache  # asked ~20 times per imported file
def _max_length(model, name):
    return model._meta.get_field(name).max_length


def new_series(post, category, name, warn):
    """A series for a post whose category no series has: its title pattern is the post's title, the date made {date}."""
    if len(category) > _max_length(Series, "jekyll_category"):
        raise ImportRefused(_("the category '%(category)s…' is longer than %(limit)s characters; shorten it")
                            % {"category": category[:40], "limit": _max_length(Series, "jekyll_category")}, 1)
    # Braces would be read as format fields by Series.title_for.
    escaped = post.title.replace("{", "{{").replace("}", "}}")
    template, found = _ISO_DATE.subn("{date}", escaped, count=1)
    if not found:
        template = f"[{{date}}] {escaped}"
        warn(_("the title has no YYYY-MM-DD date; the new series '%(category)s' titles posts '%(template)s'")
             % {"category": category, "template": template})
    if len(template) > _max_length(Series, "title_template"):
        raise ImportRefused(_("the title is too long to be a series' title pattern (over %(limit)s "
                              "characters); shorten it") % {"limit": _max_length(Series, "title_template")}, 1)
    match = FILE_NAME.fullmatch(name)
    base = slugify(category) or slugify(category, allow_unicode=True) or "series"
    slug, n = base[:45], 1
    while Series.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base[:45]}-{n}"
    series = Series.objects.create(
        slug=slug, name=category[:100], jekyll_category=category,
        post_slug=(match.group(4) if match else slugify(category) or "daily-news")[:100],
        title_template=template, layout=post.layout, footer=post.footer or "",
    )
    log.info("import: new series %s for category %r", slug, category)
    return series


def date_and_slug(post, name, series, warn):
    """(date, slug) from the file name; the front matter's date, read in the series' time zone, when it has none."""
    local = timezone.localtime(post.date, series.tzinfo)
    if local.utcoffset() != post.date.utcoffset():
        warn(_("the date's offset %(offset)s is not %(timezone)s's; the export writes %(local)s")
             % {"offset": f"{post.date:%z}", "timezone": series.timezone, "local": f"{local:%z}"})
    match = FILE_NAME.fullmatch(name)
    if match is None:
        warn(_("the file name is not <YYYY-MM-DD>-<slug>.md; using the date %(date)s and the series' slug "
               "'%(slug)s'") % {"date": f"{local:%Y-%m-%d}", "slug": series.post_slug})
        return local.date(), series.post_slug
    try:
        date = dt.date(*(int(part) for part in match.groups()[:3]))
    except ValueError:
        raise ImportRefused(_("the file name's date %(date)s is not a date; rename the file "
                              "<YYYY-MM-DD>-<slug>.md") % {"date": "-".join(match.groups()[:3])}) from None
    if date != local.date():
        warn(_("the file name's date %(file_date)s differs from the front matter date %(date)s; the digest is "
               "filed under the file name's") % {"file_date": date, "date": f"{local:%Y-%m-%d}"})
    return date, match.group(4)


def tags(value, warn):
    """The tag names the front matter's `tags` gives (a list, or a string of words), once each."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        names = value.split()
        warn(_("tags written as a string; the export writes them as a list"))
    elif isinstance(value, list):
        names = [str(v).strip() for v in value if str(v).strip()]
    else:
        raise ImportRefused(_("the front matter's tags must be a list, not %(value)s; write e.g. "
                              "'tags: [AI, robots]'") % {"value": repr(value)})
    names = list(dict.fromkeys(names))
    if names != sorted(names) or len(names) != len(value if isinstance(value, list) else names):
        warn(_("the export writes the tags sorted and once each: %(tags)s") % {"tags": sorted(names)})
    too_long = [n for n in names if len(n) > 100]
    if too_long:
        raise ImportRefused(_("tag '%(tag)s…' is longer than 100 characters; shorten it")
                            % {"tag": too_long[0][:40]})
    return names


def check_lengths(post, slug):
    """Refuse values the database would truncate or reject, naming them, before anything is written."""
    limits = [
        (post.title, _max_length(Digest, "title"), "title", {}),
        (slug, _max_length(Digest, "slug"), "slug", {}),
    ]
    for number, item in enumerate(post.items, start=1):
        limits.append((item.title, _max_length(NewsItem, "title"), "item_title", {"number": number}))
        limits += [(source.url, _max_length(ItemSource, "url"), "source_url", {"number": number, "index": n})
                   for n, source in enumerate(item.sources, start=1)]
        limits += [(insight.label, _max_length(Insight, "label"), "insight_label", {"number": number, "index": n})
                   for n, insight in enumerate(item.insights, start=1)]
    for value, limit, what, where in limits:
        if len(value) > limit:
            raise ImportRefused(_("%(what)s has %(count)s characters; at most %(limit)s fit: shorten it") % {
                "what": _(_LIMITED[what]) % where, "count": len(value), "limit": limit})
