"""Korean throughout: every project string is in the catalogue and translated, the catalogue compiles without
GNU gettext, and no page of the admin or the site shows a project string in English."""
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from conftest import in_ci
from digests import workflow
from digests.management.commands.compile_translations import compile_all
from digests.models import ExportRecord, FeedEntry, GenerationRun, ReviewEvent, Series, Source
from digests.tests.factories import DigestFactory
from digests.tests.live import live_digest

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
# The same extraction a developer runs after adding strings (the .po file's header says so).
IGNORE = ["staticfiles/*", "artifacts/*", "bench/*", "digests/tests/*", "media/*", "var/*"]


def test_every_project_string_is_in_the_catalogue_and_translated():
    if not shutil.which("xgettext"):
        message = "GNU gettext is missing: 'sudo apt-get install gettext' (scripts/test.sh installs it)."
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    # makemessages writes into the project's locale/ whatever LOCALE_PATHS says (it goes by where the
    # sources are): read what it extracted, then put the shipped catalogue back as it was.
    shipped = CATALOGUE.read_bytes()
    try:
        call_command("makemessages", locale=["ko"], no_location=True, ignore_patterns=IGNORE, verbosity=0)
        catalogue = polib.pofile(str(CATALOGUE))
    finally:
        CATALOGUE.write_bytes(shipped)
    untranslated = [entry.msgid for entry in catalogue if not entry.obsolete and (
        "fuzzy" in entry.flags or not (entry.msgstr or all(entry.msgstr_plural.values())))]
    assert not untranslated, (
        f"{len(untranslated)} strings have no Korean translation; run makemessages (see {CATALOGUE}'s header) "
        f"and translate them: {untranslated}")
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(CATALOGUE)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_the_compiled_catalogue_is_the_current_one():
    """The pages below are read in Korean from the .mo: it must be what the .po compiles to."""
    mo = CATALOGUE.with_suffix(".mo")
    assert mo.exists() and mo.read_bytes() == polib.pofile(str(CATALOGUE)).to_binary(), (
        "locale/ko/LC_MESSAGES/django.mo is missing or older than the .po: run "
        "'.venv/bin/python manage.py compile_translations' (scripts/test.sh and the demo do).")


def test_the_catalogue_compiles_in_pure_python(tmp_path, settings):
    target = tmp_path / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CATALOGUE, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    [mo] = compile_all()
    import gettext

    compiled = gettext.GNUTranslations(mo.open("rb"))
    assert compiled.gettext("Submit for review") == "검토 요청"
    assert compile_all() == []  # up to date: not written again


def test_a_catalogue_compiled_by_a_running_process_is_read_by_it(tmp_path, settings):
    """The demo compiles the .mo (none on a fresh checkout) and then serves from the same process: Django
    has read the catalogues at start, and must read them again, or the demo is in English."""
    target = tmp_path / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CATALOGUE, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    assert translation.gettext("Submit for review") == "Submit for review"  # read now, with no .mo yet
    compile_all()
    assert translation.gettext("Submit for review") == "검토 요청"


# Rendered pages ---------------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """What a person reads on a page: text outside scripts and styles, and the labels in attributes."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1
        attrs = dict(attrs)
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_msgids():
    """Fragments of the catalogue's English msgids long enough to be recognised on a page."""
    fragments = set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgstr == entry.msgid:
            continue  # the same in Korean (URL, ETag)
        for part in re.split(r"%\(\w+\)[sdr]|\{\w+\}|[“”\"]", entry.msgid):
            part = part.strip(" .,:;()")
            if len(part) >= 6 and re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}", part):
                fragments.add(part)
    return fragments


# Words that are names, not English sentences: formats, products, data of the tests.
ALLOWED = re.compile(r"\b(Jekyll|Markdown|Gemini|OpenAI|RSS/Atom|Atom|ETag|Last-Modified|GUID|URL|HTTP|Top|YYYY-MM-DD"
                     r"|HH:MM|Asia/Seoul|TechCrunch|Example|default|daily-it-news|admin|editor|reviewer|publisher"
                     r"|reviewer2|j|k|c)\b")
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+(?:[ \-][A-Za-z][a-z]+)+\b")


def data_strings():
    """What the test data names in English (the feeds' outlets and titles, slugs): data, not project strings."""
    values = set()
    for model, fields in [(Source, ["name", "url"]), (FeedEntry, ["title", "url"]),
                          (Series, ["slug", "post_slug", "jekyll_category", "name"])]:
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v)
    return sorted(values, key=len, reverse=True)


def english_on(html, fragments):
    text = visible_text(html)
    found = sorted({f for f in fragments if f in text})
    for value in data_strings():
        text = text.replace(value, " ")
    words = sorted({m for m in ENGLISH.findall(ALLOWED.sub(" ", text))})
    return found + words


@pytest.fixture
def desk(editor, reviewer, publisher, make_user):
    """A morning's worth of digests in every state, with a flag, comments, a decision, a feed entry and a run."""
    draft = DigestFactory()
    draft.items.filter(position=0).update(needs_attention=True)
    in_review = workflow.submit(DigestFactory(), editor)
    workflow.request_changes(in_review, reviewer, "두 번째 요약을 고쳐 주세요")
    workflow.submit(in_review, editor)
    workflow.comment(in_review, reviewer, "출처 확인", news_item=in_review.items.first())
    approved = workflow.approve(workflow.submit(DigestFactory(), editor), reviewer, "좋습니다")
    live = live_digest(tags=["인공지능"])
    source = Source.objects.create(series=draft.series, name="테크피드", url="https://feed.example/rss")
    entry = FeedEntry.objects.create(source=source, guid="g1", url="https://feed.example/1", title="피드 제목",
                                     summary="피드 본문입니다.")
    in_review.items.first().sources.update(entry=entry, name="테크피드")
    run = GenerationRun.objects.create(series=draft.series, date=draft.date, status="failed", error="작성기 실패",
                                       digest=draft)
    export = ExportRecord.objects.create(digest=live, path="_posts/x.md", status="written")
    return {"draft": draft, "in_review": in_review, "approved": approved, "live": live, "source": source,
            "entry": entry, "run": run, "export": export}


def admin_pages(desk):
    d = desk
    change = lambda digest: reverse("admin:digests_digest_change", args=[digest.pk])  # noqa: E731
    pages = [reverse("admin:index"), reverse("admin:digests_digest_changelist"),
             reverse("admin:digests_digest_changelist") + "?queue=mine", reverse("admin:digests_digest_add")]
    for digest in (d["draft"], d["in_review"], d["approved"], d["live"]):
        pages += [change(digest), reverse("admin:digests_digest_review", args=[digest.pk]),
                  reverse("admin:digests_digest_preview", args=[digest.pk]),
                  reverse("admin:digests_digest_markdown", args=[digest.pk]),
                  reverse("admin:digests_digest_diff", args=[digest.pk])]
    pages.append(reverse("admin:digests_generationrun_regenerate_item", args=[d["draft"].items.first().pk]))
    for model, obj in [("series", d["draft"].series), ("source", d["source"]), ("feedentry", d["entry"]),
                       ("generationrun", d["run"]), ("exportrecord", d["export"]),
                       ("reviewevent", ReviewEvent.objects.filter(digest=d["in_review"]).first())]:
        pages += [reverse(f"admin:digests_{model}_changelist"), reverse(f"admin:digests_{model}_change", args=[obj.pk])]
    return pages


def test_no_admin_page_shows_a_project_string_in_english(client, desk, publisher, reviewer, editor):
    fragments = english_msgids()
    problems = {}
    for user in (publisher, editor):
        client.force_login(user)
        for url in admin_pages(desk):
            if url.endswith("/add/") and not user.has_perm("digests.add_digest"):
                continue
            response = client.get(url)
            assert response.status_code == 200, (user, url, response.status_code)
            found = english_on(response.content.decode(), fragments)
            if found:
                problems[f"{user} {url}"] = found
    # Pages that only a POST shows: a merge conflict, a refused save, the reject confirmation, a shared preview.
    client.force_login(reviewer)
    digest = desk["in_review"]
    response = client.post(reverse("admin:digests_digest_transition", args=[digest.pk, "reject"]),
                           {"version": digest.version, "comment": "중복 기사"})
    problems.update({"reject": english_on(response.content.decode(), fragments)} if english_on(
        response.content.decode(), fragments) else {})
    from digests import preview

    for url in (preview.share_url(digest).removeprefix(settings.SITE_URL), "/admin/digests/digest/shared/broken/"):
        client.logout()
        found = english_on(client.get(url).content.decode(), fragments)
        if found:
            problems[url] = found
    assert not problems, problems


def test_the_merge_and_refusal_pages_are_korean(client, editor, reviewer, make_user):
    from digests.tests.test_admin import FormData, form_of, item_field, open_twice, post

    fragments = english_msgids()
    digest = workflow.submit(DigestFactory(), editor)
    mine, second, theirs = open_twice(client, digest, reviewer, make_user("Reviewer", username="other"))
    theirs[item_field(theirs, digest, 1, "summary")] = "그쪽 요약"
    post(second, digest, theirs)
    mine[item_field(mine, digest, 1, "summary")] = "내 요약"
    html = post(client, digest, mine).content.decode()
    assert 'class="merge-conflicts"' in html and english_on(html, fragments) == []
    data = form_of(client, digest)
    data[item_field(data, digest, 2, "summary")] = ""
    html = post(client, digest, data).content.decode()
    assert "저장하지 않았습니다" in html and english_on(html, fragments) == []
    assert FormData  # the helpers are shared with test_admin


def test_no_site_page_shows_a_project_string_in_english(client, desk):
    fragments = english_msgids()
    live = desk["live"]
    pages = ["/", "/?series=tech", f"/{live.series.jekyll_category}/", live.get_absolute_url(),
             f"/archive/{live.date:%Y/%m}/", "/tags/인공지능/", "/search/", "/search/?q=뉴스", "/search/?q=없는말"]
    problems = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = english_on(response.content.decode(), fragments)
        if found:
            problems[url] = found
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404 and "페이지를 찾을 수 없습니다" in missing.content.decode()
    feed = client.get("/feed.xml").content.decode()
    assert f"<subtitle>{settings.SITE_DESCRIPTION}</subtitle>" in feed
    assert not problems, problems


def test_admin_and_site_are_named_from_settings(client, editor, settings):
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert f"<title>편집국 | {settings.SITE_NAME}</title>" in html and "Django" not in visible_text(html)
    assert f'<a href="/" class="brand">{settings.SITE_NAME}</a>' in client.get("/").content.decode()
    assert translation.get_language() == "ko"


def test_the_detector_finds_english_when_it_is_there(editor):
    """The checks above can fail: the same template rendered without the Korean catalogue is caught."""
    from django.template.loader import render_to_string

    digest = DigestFactory()
    entry = {"item": digest.items.first(), "number": 1, "comments": []}
    with translation.override("en"):
        english = render_to_string("admin/digests/digest/review/item_flags.html", {"entry": entry})
    korean = render_to_string("admin/digests/digest/review/item_flags.html", {"entry": entry})
    fragments = english_msgids()
    assert "No flag" in english_on(english, fragments) and english_on(korean, fragments) == []
