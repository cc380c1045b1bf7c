"""Production settings: check --deploy is clean, CSP and frame headers are sent, admin logins are limited, logs are JSON."""
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from newsroom.logs import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]


def readme_https_settings():
    """The HTTPS settings the README's "Running it for real" exports: its claim is what the test checks."""
    line = next(line for line in (ROOT / "README.md").read_text().splitlines()
                if line.startswith("export SECURE_SSL_REDIRECT="))
    return dict(part.split("=", 1) for part in line.removeprefix("export ").split())


PRODUCTION_ENV = {"DJANGO_DEBUG": "0", "ALLOWED_HOSTS": "news.example.com", **readme_https_settings()}


def check_deploy(**overrides):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "SECRET_KEY": secrets.token_urlsafe(60),
           **PRODUCTION_ENV, **overrides}
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(("setting", "warning"), [("SECURE_SSL_REDIRECT", "W008"), ("SECURE_HSTS_PRELOAD", "W021"),
                                                  ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "W005")])
def test_check_deploy_names_what_is_missing(setting, warning):
    result = check_deploy(**{setting: "0"})
    assert result.returncode != 0 and f"security.{warning}" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_public_pages_and_the_admin(client):
    for url in ["/", "/admin/login/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_admin_login_attempts_are_limited(client, django_user_model, settings):
    django_user_model.objects.create_superuser("root", "root@example.com", "right-password")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/admin/login/", {"username": "root", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    locked = client.post("/admin/login/", {"username": "root", "password": "wrong"})
    assert locked.status_code == 429
    again = client.post("/admin/login/", {"username": "root", "password": "right-password"})
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    # Another user name from the same address is not locked out by this.
    django_user_model.objects.create_superuser("editor2", "e@example.com", "pw-editor-2")
    ok = client.post("/admin/login/", {"username": "editor2", "password": "pw-editor-2"})
    assert ok.status_code == 302


def test_json_log_lines_carry_the_extra_fields():
    record = logging.makeLogRecord({"name": "digests.publishing", "levelname": "WARNING", "levelno": 30,
                                    "msg": "export of %s failed", "args": (7,), "digest": 7})
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "export of 7 failed" and line["level"] == "WARNING" and line["digest"] == 7
    assert line["logger"] == "digests.publishing" and line["time"].endswith("+00:00")
