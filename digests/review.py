"""The review screen's data: each item as readers see it beside its sources and flags, the latest decision,
and item-aware diffs (a reorder is a move, not a delete and an add)."""
import difflib
import re

from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _, gettext_lazy

from . import evidence, verify, workflow
from .models import Digest, Insight, ItemSource, NewsItem, ReviewEvent, Status
from .posts import digest_to_post, post_to_snapshot

Action = ReviewEvent.Action
# What the top of the screen shows: the latest request or decision, with its comment.
DECISIONS = (Action.SUBMIT, Action.REQUEST_CHANGES, Action.APPROVE, Action.REJECT, Action.PUBLISH_REFUSED,
             Action.REOPEN, Action.PUBLISH, Action.UNPUBLISH)
# The blocks of an item's panel, in order; each template gets `entry` (item, number, reader, sources, comments).
ITEM_BLOCKS = [
    "admin/digests/digest/review/item_reader.html",
    "admin/digests/digest/review/item_sources.html",
    "admin/digests/digest/review/item_evidence.html",
    "admin/digests/digest/review/item_flags.html",
]
EVENTS_SHOWN = 50


def load(pk):
    """The digest with everything the screen reads, in a fixed number of queries whatever its size."""
    items = NewsItem.objects.order_by("position", "id").select_related("attention_override_by").prefetch_related(
        "tags",
        Prefetch("insights", queryset=Insight.objects.order_by("position", "id")),
        Prefetch("sources", queryset=ItemSource.objects.order_by("position", "id").select_related(
            "entry__source", "entry__article")),
    )
    return (Digest.objects.filter(pk=pk).select_related("series", "assignee", "submitted_by")
            .prefetch_related("tags", Prefetch("items", queryset=items)).first())


def latest_decision(events):
    """The newest submit, request, decision or refusal among `events` (newest first), or None."""
    return next((event for event in events if event.action in DECISIONS), None)


def context(digest, user):
    items = list(digest.items.all())
    events = list(digest.events.select_related("actor", "news_item").order_by("-created_at", "-id")[:EVENTS_SHOWN])
    post = digest_to_post(digest)
    current = post_to_snapshot(post)
    comments = {}
    for event in events:
        if event.news_item_id and event.action in (Action.COMMENT, Action.OVERRIDE):
            comments.setdefault(event.news_item_id, []).append(event)
    entries = [
        {"item": item, "number": number, "reader": reader, "sources": list(item.sources.all()),
         "comments": comments.get(item.pk, []), "evidence": evidence.review(item)}
        for number, (item, reader) in enumerate(zip(items, post.items), start=1)
    ]
    reviewing = digest.status == Status.IN_REVIEW and user.has_perm(workflow.REVIEW_PERM)
    return {
        "digest": digest,
        "post": post,
        "entries": entries,
        "item_blocks": ITEM_BLOCKS,
        "events": events,
        "decision": latest_decision(events),
        "transitions": workflow.available(digest, user),
        "approve_blocked": workflow.blocked_reason("approve", digest, user) if reviewing else None,
        "unsupported": sum(entry["evidence"]["counts"].get(verify.UNSUPPORTED, 0) for entry in entries),
        "gate_reasons": workflow.incomplete_reasons(digest, digest) + workflow.flag_reasons(items),
        "can_override": reviewing,
        "can_edit": digest.is_editable and user.has_perm(workflow.EDIT_PERM),
        "can_comment": user.has_perm(workflow.SUBMIT_PERM),
        "diffs": [
            {"id": "draft", "title": _("Against the generated draft"), "rows": item_diff(digest.generated_snapshot, current),
             "none": _("This digest has no generated draft (it was imported or written by hand).")},
            {"id": "live", "title": _("Against the live version"), "rows": item_diff(digest.live_snapshot, current),
             "none": _("Not live yet: readers see nothing of it.")},
        ],
    }


# Diffs ------------------------------------------------------------------------------

FIELDS = [("title", gettext_lazy("title")), ("summary", gettext_lazy("summary")),
          ("insights", gettext_lazy("insights")), ("sources", gettext_lazy("sources"))]


def _text(item, field):
    if field == "insights":
        return "\n".join(f"{i['label']}: {i['text']}" if i["label"] else i["text"] for i in item["insights"])
    if field == "sources":
        return "\n".join(s["url"] for s in item["sources"])
    return item.get(field) or ""


def _urls(item):
    return {s["url"] for s in item.get("sources") or [] if s.get("url")}


def match(before, after):
    """{index in after: index in before} for the same stories: by source URL, then title, then similar text."""
    pairs, used = {}, set()
    passes = [
        lambda b, a: bool(_urls(b) & _urls(a)),
        lambda b, a: b["title"].strip() and b["title"].strip() == a["title"].strip(),
        lambda b, a: difflib.SequenceMatcher(None, _text(b, "title") + _text(b, "summary"),
                                             _text(a, "title") + _text(a, "summary")).ratio() >= 0.6,
    ]
    for same in passes:
        for ai, a in enumerate(after):
            if ai in pairs:
                continue
            for bi, b in enumerate(before):
                if bi not in used and same(b, a):
                    pairs[ai], used = bi, used | {bi}
                    break
    return pairs


def _kept_in_order(pairs):
    """The after-indexes whose relative order is unchanged (the longest increasing run of before-indexes)."""
    order = sorted(pairs)
    best = {}  # after index -> (length, previous after index)
    for ai in order:
        candidates = [(best[p][0], p) for p in order if p < ai and pairs[p] < pairs[ai]]
        length, previous = max(candidates, default=(0, None))
        best[ai] = (length + 1, previous)
    if not best:
        return set()
    ai = max(best, key=lambda k: best[k][0])
    kept = set()
    while ai is not None:
        kept.add(ai)
        ai = best[ai][1]
    return kept


def word_diff(old, new):
    """`new` against `old`, word by word, as HTML with <del> and <ins>."""
    a, b = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped


def item_diff(before, after):
    """Rows of what changed from snapshot `before` to `after`, item by item; None without `before`."""
    if not before:
        return None
    rows = []
    for field, label in (("title", _("title")), ("footer", _("footer"))):
        old, new = before.get(field) or "", after.get(field) or ""
        if old != new:
            rows.append({"kind": "changed", "title": _("the digest"), "fields": [(label, word_diff(old, new))]})
    old_tags, new_tags = (before.get("extra") or {}).get("tags") or [], (after.get("extra") or {}).get("tags") or []
    if old_tags != new_tags:
        rows.append({"kind": "changed", "title": _("the digest"),
                     "fields": [(_("tags"), word_diff(", ".join(old_tags), ", ".join(new_tags)))]})
    b_items, a_items = before.get("items") or [], after.get("items") or []
    pairs = match(b_items, a_items)
    kept = _kept_in_order(pairs)
    for ai, item in enumerate(a_items):
        if ai not in pairs:
            rows.append({"kind": "added", "title": item["title"], "to": ai + 1, "fields": []})
            continue
        bi = pairs[ai]
        fields = [(label, word_diff(_text(b_items[bi], f), _text(item, f)))
                  for f, label in FIELDS if _text(b_items[bi], f) != _text(item, f)]
        moved = ai not in kept
        if fields or moved:
            rows.append({"kind": "moved" if moved else "changed", "title": item["title"], "from": bi + 1,
                         "to": ai + 1, "fields": fields})
    matched = set(pairs.values())
    rows += [{"kind": "removed", "title": item["title"], "from": bi + 1, "fields": []}
             for bi, item in enumerate(b_items) if bi not in matched]
    return rows
