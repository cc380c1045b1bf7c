"""Project URLs: markdownx's preview is staff-only and sanitized; its image upload is not routed."""
import pytest

pytestmark = pytest.mark.django_db


def test_markdown_preview_needs_staff_and_is_sanitized(client, editor):
    payload = {"content": "**굵게** <img src=x onerror=alert(1)> [x](javascript:alert(1))"}
    anonymous = client.post("/markdownx/markdownify/", payload)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    client.force_login(editor)
    response = client.post("/markdownx/markdownify/", payload)
    html = response.content.decode()
    assert response.status_code == 200 and "<strong>굵게</strong>" in html
    # The same renderer as the reader site: HTML and the refused link show as text, nothing runs.
    assert "<img" not in html and "href=" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1))" in html


def test_image_upload_is_not_routed(client, editor):
    client.force_login(editor)
    assert client.post("/markdownx/upload/", {}).status_code == 404
