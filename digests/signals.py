"""Workflow signals, sent after the transaction commits; receivers get `digest` (e.g. to drop site caches)."""
import django.dispatch

# A digest became live for the first time (or again after being unpublished).
digest_published = django.dispatch.Signal()
# A digest is no longer live.
digest_unpublished = django.dispatch.Signal()
# A live digest's content was republished after a correction (reopened, then published again).
digest_corrected = django.dispatch.Signal()
