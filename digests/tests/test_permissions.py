"""The permission matrix: every role × transition × status, through the workflow and through admin POSTs."""
import pytest
from django.urls import reverse

from digests import tasks, workflow
from digests.models import Digest, Status
from digests.tests.factories import DigestFactory

pytestmark = pytest.mark.django_db

ROLES = [None, "Editor", "Reviewer", "Publisher"]
RIGHTS = {
    None: set(),
    "Editor": {"submit"},
    "Reviewer": {"submit", "review"},
    "Publisher": {"submit", "review", "publish"},
}
# The right each transition needs, and the statuses it starts from.
NEEDS = {
    "submit": ("submit", {"draft", "changes_requested"}),
    "approve": ("review", {"in_review"}),
    "request_changes": ("review", {"in_review"}),
    "reject": ("review", {"in_review"}),
    "publish": ("publish", {"approved"}),
    "unpublish": ("publish", {"published"}),
    "reopen": ("review", {"approved", "rejected", "published"}),
}
CALLS = {
    "submit": lambda d, u: workflow.submit(d, u),
    "approve": lambda d, u: workflow.approve(d, u),
    "request_changes": lambda d, u: workflow.request_changes(d, u, "please fix"),
    "reject": lambda d, u: workflow.reject(d, u, "not today"),
    "publish": lambda d, u: workflow.publish(d, u),
    "unpublish": lambda d, u: workflow.unpublish(d, u, "wrong facts"),
    "reopen": lambda d, u: workflow.reopen(d, u),
}


def allowed(role, transition, status):
    right, sources = NEEDS[transition]
    if transition == "reopen" and status == "published":
        right = "publish"
    return status in sources and right in RIGHTS[role]


def digest_in(status, submitter):
    live = {"title": "live", "items": []} if status == "published" else None
    return DigestFactory(status=status, submitted_by=submitter, live_snapshot=live)


@pytest.fixture
def no_export(monkeypatch):
    monkeypatch.setattr(tasks.reconcile_blog, "apply_async", lambda *args, **kwargs: None)


@pytest.fixture
def submitter(make_user):
    return make_user("Editor", username="submitter")


@pytest.mark.parametrize("transition", list(NEEDS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_through_the_workflow(role, transition, make_user, submitter, no_export):
    user = make_user(role, username=f"actor-{role}")
    outcomes = {}
    for status in Status.values:
        digest = digest_in(status, submitter)
        try:
            CALLS[transition](digest, user)
        except workflow.TransitionError:
            outcomes[status] = False
        else:
            outcomes[status] = True
        stored = Digest.objects.get(pk=digest.pk)
        assert (stored.status != status or stored.status == workflow.TRANSITIONS[transition].target) or not outcomes[status]
        assert stored.events.exists() == outcomes[status]
    assert outcomes == {status: allowed(role, transition, status) for status in Status.values}


@pytest.mark.parametrize("transition", list(NEEDS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_through_admin_posts(role, transition, make_user, submitter, client, no_export):
    user = make_user(role, username=f"actor-{role}")
    client.force_login(user)
    outcomes = {}
    for status in Status.values:
        digest = digest_in(status, submitter)
        url = reverse("admin:digests_digest_transition", args=[digest.pk, transition])
        # "confirmed": what the reject confirmation page posts (rejecting asks once more).
        response = client.post(url, {"version": digest.version, "comment": "a comment", "confirmed": "1"})
        stored = Digest.objects.get(pk=digest.pk)
        outcomes[status] = stored.status != status
        if outcomes[status]:
            assert stored.status == workflow.TRANSITIONS[transition].target
            assert response.status_code == 302
        else:
            # Refused with a reason (or no access to the admin at all for a user without a role).
            assert response.status_code in (302, 403)
        assert stored.events.exists() == outcomes[status]
    assert outcomes == {status: allowed(role, transition, status) for status in Status.values}


@pytest.mark.parametrize("role", ROLES)
def test_content_changes_only_while_editable_and_with_a_role(role, make_user, client):
    """Approved and published digests are read-only in the admin for everyone; without a role nothing is editable."""
    user = make_user(role, username=f"actor-{role}")
    client.force_login(user)
    for status in Status.values:
        digest = DigestFactory(status=status, items=0)
        response = client.post(
            reverse("admin:digests_digest_change", args=[digest.pk]),
            {"title": "changed", "base_version": digest.version},
        )
        stored = Digest.objects.get(pk=digest.pk)
        assert stored.title != "changed"  # no valid save with a partial form either way
        editable = role is not None and status in ("draft", "in_review", "changes_requested")
        assert (response.status_code == 403) == (not editable), (role, status, response.status_code)
