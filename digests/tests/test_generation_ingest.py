"""Parsing feeds into entries and storing them: plain text, dates, canonical URLs, refreshes without duplicates."""
import datetime as dt

import pytest

from digests.generation import ingest
from digests.generation.fetch import FetchResult
from digests.models import FeedEntry, Source
from digests.tests.fakes.feeds import rss

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:x</id><updated>2026-03-02T01:00:00Z</updated>
<entry><id>urn:entry:1</id><title type="html">&lt;b&gt;AI&lt;/b&gt; &amp;amp; chips</title>
<link href="https://www.example.com/a?utm_source=atom&amp;id=1"/><updated>2026-03-02T01:00:00Z</updated>
<summary type="html">&lt;p&gt;First &lt;script&gt;alert(1)&lt;/script&gt;sentence.&lt;/p&gt;  &lt;p&gt;Second.&lt;/p&gt;</summary></entry>
<entry><id>urn:entry:2</id><title>No date</title><link href="https://example.com/b"/></entry>
</feed>"""


def test_parse_atom_to_plain_text_entries():
    first, second = ingest.parse(ATOM)
    assert first["guid"] == "urn:entry:1" and first["title"] == "AI & chips"
    assert first["summary"] == "First sentence. Second."
    assert first["canonical_url"] == "https://example.com/a?id=1"
    assert first["published_at"] == dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)
    assert second["published_at"] is None


def test_not_a_feed_is_malformed():
    with pytest.raises(ingest.FeedError) as bad:
        ingest.parse(b"<html><body>Just a page</body></html>")
    assert bad.value.kind in {"malformed", "empty"}


@pytest.mark.django_db
def test_record_stores_new_entries_and_refreshes_known_ones(tech):
    source = Source.objects.create(series=tech, name="Atom", url="https://example.com/atom")
    result = FetchResult(source_id=source.pk, source_name=source.name, url=source.url, body=ATOM, etag='"a"')
    ingest.record(source, result)
    assert (result.entries_seen, result.entries_new) == (2, 2)
    first_fetch = FeedEntry.objects.get(guid="urn:entry:1").fetched_at
    changed = ATOM.replace(b"Second.", b"Second, corrected.")
    again = FetchResult(source_id=source.pk, source_name=source.name, url=source.url, body=changed)
    ingest.record(source, again)
    assert (again.entries_seen, again.entries_new) == (2, 0)
    entry = FeedEntry.objects.get(guid="urn:entry:1")
    assert entry.summary.endswith("Second, corrected.") and entry.fetched_at == first_fetch
    source.refresh_from_db()
    assert (source.last_status, source.last_error) == ("ok", "")
    assert FeedEntry.objects.count() == 2


def test_links_in_an_entrys_text_to_other_sites_are_kept_canonical():
    body = rss([{"title": "러스트로 다시 쓴 빌드 도구", "link": "https://news.hada.io/topic?id=1",
                 "description": '<p>원문: <a href="https://engineering.example.io/rust-build?utm_source=geeknews">'
                                '글</a>, <a href="/topic?id=2">관련 글</a>, '
                                '<a href="https://news.ycombinator.com/item?id=42">HN</a></p>'}])
    [parsed] = ingest.parse(body)
    assert parsed["links"] == ["https://engineering.example.io/rust-build", "https://news.ycombinator.com/item?id=42"]
    assert "원문" in parsed["summary"] and "<a" not in parsed["summary"]
