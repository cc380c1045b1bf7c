"""Three-way merge of a stale digest save: the fields only one side changed are kept, the rest are conflicts.

The change form carries the values it was loaded with (`base_values`, as the browser would post them,
keyed by object and field). When someone else saved meanwhile, each field of the posted form is
compared with that base and with the digest as it is now: a field only the other editor changed takes
their value, a field only this editor changed keeps theirs, and a field both changed differently is a
conflict the editor resolves by choosing (theirs or mine) before anything is written.
"""
import json
import re
from dataclasses import dataclass, field

from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.utils.translation import gettext as _

from .models import Insight, ItemSource, NewsItem

# The formset prefixes of the change form (the related names) and the model each one edits.
PREFIXES = {"items": NewsItem, "insights": Insight, "sources": ItemSource}
_INLINE_ID = re.compile(r"^((?:items-\d+-)?(items|insights|sources)-\d+)-id$")
DELETE = "DELETE"


def _widget_values(name, bound_field):
    """{posted name: value} for one field, as a browser would post the unbound widget (None: not posted)."""
    widget = bound_field.field.widget
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    context = widget.get_context(name, bound_field.value(), dict(widget.attrs))["widget"]
    values = {}
    for sub in context.get("subwidgets") or [context]:
        if sub.get("type") == "checkbox":
            values[sub["name"]] = "on" if sub["attrs"].get("checked") else None
        elif isinstance(sub.get("value"), list):
            values[sub["name"]] = next((str(v) for v in sub["value"] if v not in (None, "")), "")
        else:
            values[sub["name"]] = "" if sub.get("value") is None else str(sub["value"])
    return values


def form_values(form):
    """{field name (or sub-widget name): value} of an unbound form, as it would be posted unchanged."""
    values = {}
    for name in form.fields:
        if name in ("base_version", "base_values"):
            continue
        values.update(_widget_values(name, form[name]))
    return values


def key(model, pk, name):
    return f"{model._meta.model_name}:{pk}:{name}"


def snapshot(forms):
    """The base/theirs values of (model, pk, unbound form) triples, keyed by object and field."""
    values = {}
    for model, pk, form in forms:
        for name, value in form_values(form).items():
            values[key(model, pk, name)] = _normal(value)
    return values


def _normal(value):
    return None if value is None else str(value).replace("\r\n", "\n")


def posted_objects(data):
    """{(model, pk): form prefix ("" for the digest)} of the objects the posted form edits."""
    objects = {}
    for name, value in data.items():
        match = _INLINE_ID.match(name)
        if match and value.isdigit():
            objects[(PREFIXES[match.group(2)], int(value))] = match.group(1)
    return objects


@dataclass
class Conflict:
    name: str  # the posted field
    key: str
    label: str
    theirs: object = None
    mine: object = None

    def as_dict(self):
        return {"name": self.name, "key": self.key, "label": self.label}


@dataclass
class Outcome:
    data: object  # the POST to save: theirs where only they changed, mine elsewhere
    taken: list = field(default_factory=list)  # labels of the fields taken from the other save
    conflicts: list = field(default_factory=list)
    lost: list = field(default_factory=list)  # my changes to objects they deleted, with my text (shown, not saved)


def merge(data, base, theirs, digest_model, digest_pk, labels):
    """Merge the posted `data` (mine) with `theirs`, both against `base`; returns an Outcome.

    `labels(key)` names a field for the editor (“item 2 (“…”), summary”).
    """
    data = data.copy()
    outcome = Outcome(data=data)
    objects = {(digest_model, digest_pk): "", **posted_objects(data)}
    for (model, pk), prefix in objects.items():
        start = key(model, pk, "")
        fields = {k[len(start):] for k in base if k.startswith(start)}
        if not fields:
            continue  # added after the form was loaded: nothing to compare with
        posted = (lambda n: f"{prefix}-{n}") if prefix else (lambda n: n)
        gone = not any(k.startswith(start) for k in theirs)
        mine_changed = [n for n in sorted(fields) if _normal(data.get(posted(n))) != base[start + n]]
        if gone:
            # The other editor deleted it: a deleted row cannot take my edits; say what they were.
            if mine_changed and data.get(posted(DELETE)) != "on":
                outcome.lost += [f"{labels(start + n)}: {_normal(data.get(posted(n)))}" for n in mine_changed]
            data[posted(DELETE)] = "on"
            continue
        theirs_changed = {n for n in fields if theirs.get(start + n) != base[start + n]}
        if prefix and data.get(posted(DELETE)) == "on" and theirs_changed:
            outcome.conflicts.append(Conflict(posted(DELETE), start + DELETE, labels(start + DELETE),
                                              _("kept, with their changes"), _("deleted")))
        for name in sorted(fields):
            before, now, mine = base[start + name], theirs.get(start + name), _normal(data.get(posted(name)))
            if now == before or mine == now:
                continue
            if mine == before:
                _set(data, posted(name), now)
                outcome.taken.append(labels(start + name))
            else:
                outcome.conflicts.append(Conflict(posted(name), start + name, labels(start + name), now, mine))
    return outcome


def resolve(data, pending, base):
    """Apply the editor's choices to the conflicts of a previous merge; returns the ones still unchosen.

    `base` is the values the merge page was built on (theirs then): choosing theirs puts their value back.
    """
    data = data.copy()
    open_ = []
    for conflict in pending:
        choice = data.get(f"resolve-{conflict['name']}")
        if choice == "theirs":
            _set(data, conflict["name"], base.get(conflict["key"]))
        elif choice != "mine":
            open_.append(conflict)
    return data, open_


def _set(data, name, value):
    if value is None:
        data.pop(name, None)
    else:
        data[name] = value


def loads(text, default):
    try:
        value = json.loads(text or "")
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default
