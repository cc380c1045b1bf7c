"""The production-like stack for tests that break things: a shared copy of the test database, real `celery worker`
and `celery beat` processes in process groups of their own, gunicorn, and an HTTP client that logs into the admin."""
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def shared_database(django_db_setup, django_db_blocker):
    """A copy of the test database that another process can open, swapped in as this process's default.

    The in-memory SQLite test database cannot be shared, and the transactional tests here flush what
    they touch: a copy keeps the session's database (and its migrated series and roles) intact.
    """
    settings_dict = connection.settings_dict
    original_name = settings_dict["NAME"]
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            folder = tempfile.mkdtemp(prefix="newsroom-celery-")
            path = os.path.join(folder, "db.sqlite3")
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            kept = connection.connection
            connection.connection = None  # the in-memory database lives on in `kept`
            settings_dict["NAME"] = path
            url = f"sqlite:///{path}"
        else:
            import psycopg

            copy = f"{original_name}_celery"[:63]
            connection.close()
            admin = dict(host=settings_dict["HOST"] or "127.0.0.1", port=settings_dict["PORT"] or 5432,
                         user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None, dbname="postgres",
                         autocommit=True)
            with psycopg.connect(**admin) as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{copy}"')
                pg.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{original_name}"')
            settings_dict["NAME"] = copy
            url = (f"postgres://{settings_dict['USER']}@{admin['host']}:{admin['port']}/{copy}")
        yield url
        connection.close()
        settings_dict["NAME"] = original_name
        if connection.vendor == "sqlite":
            connection.connection = kept
            shutil.rmtree(folder, ignore_errors=True)
        else:
            with psycopg.connect(**admin) as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def stack_env(database_url, **overrides):
    """The environment of a production process (newsroom.settings, not the test settings) on `database_url`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "SECRET_KEY": settings.SECRET_KEY,  # sessions made here are valid there
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_FORMAT": "plain",
        **overrides,
    }


class Process:
    """A command in its own process group (killed as a group, like a crashed server), logging to a file."""

    ready_marker = b""
    restarted_marker = "supervisor: exited with"

    def __init__(self, args, env, log_path, restart_always=False):
        self.args, self.env, self.log_path, self.process, self.log = args, env, log_path, None, None
        self.restart_always = restart_always

    def command(self):
        if not self.restart_always:
            return self.args
        # What deploy/newsroom@.service's Restart=always does: a process that exits on its own comes back. The loop
        # shares the process group, so kill() still takes everything down at once, as a crash of the machine would;
        # on SIGTERM it waits for the process's warm shutdown and exits.
        loop = (f'trap "wait; exit 143" TERM; while :; do "$@" & wait $!; '
                f'echo "{self.restarted_marker} $?, restarting in 1 s"; sleep 1; done')
        return ["sh", "-c", loop, "sh", *self.args]

    def restarts(self):
        """Times the process exited on its own since the log began (each one a crash a supervisor repaired)."""
        return Path(self.log_path).read_text(errors="replace").count(self.restarted_marker)

    def start(self, timeout=60):
        self.log = open(self.log_path, "ab")
        self.offset = Path(self.log_path).stat().st_size
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{self.args[0]} did not start; its log:\n{self.tail()}")

    def is_ready(self):
        return self.ready_marker in Path(self.log_path).read_bytes()[self.offset:]

    def kill(self):
        """SIGKILL to the whole process group: the process, its children, their git and hooks."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        if self.log:
            self.log.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if self.log:
            self.log.close()

    def tail(self, lines=60):
        return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])

    def story(self, tail=40):
        """For a failure message: alive or not, the log's first critical and error lines (the cause, which a
        shutdown's tracebacks push out of the tail), then its tail."""
        state = "running" if self.process and self.process.poll() is None else f"exited ({self.process.poll()})"
        lines = Path(self.log_path).read_text(errors="replace").splitlines()
        alarms = [line for line in lines if "CRITICAL/" in line or "ERROR/" in line or self.restarted_marker in line]
        return "\n".join([f"{self.args[0]} {state}; first alarms:", *alarms[:15], "last lines:", *lines[-tail:]])


class Worker(Process):
    """`celery -A newsroom worker --pool prefork -c 2`."""

    ready_marker = b" ready."

    def __init__(self, env, log_path, restart_always=False):
        super().__init__([str(BIN / "celery"), "-A", "newsroom", "worker", "--pool", "prefork", "--concurrency", "2",
                          "--loglevel", "INFO", "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h", "--without-gossip",
                          "--without-mingle", "--without-heartbeat"], env, log_path, restart_always)


class Beat(Process):
    """`celery -A newsroom beat` on django-celery-beat's database scheduler, as the Procfile runs it."""

    ready_marker = b"beat: Starting"

    def __init__(self, env, log_path, restart_always=False):
        super().__init__([str(BIN / "celery"), "-A", "newsroom", "beat", "--loglevel", "INFO", "--scheduler",
                          "django_celery_beat.schedulers:DatabaseScheduler"], env, log_path, restart_always)


class Web(Process):
    """gunicorn serving the site and the admin, one sync worker."""

    def __init__(self, env, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__([str(BIN / "gunicorn"), "newsroom.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                          "--timeout", "60"], env, log_path)

    def is_ready(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


def collect_static(env, folder):
    """The production static files storage needs its manifest: collectstatic into `folder`."""
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env={**env, "STATIC_ROOT": str(folder)}, check=True, timeout=180)


class AdminSession:
    """An editor at the admin over real HTTP: presses workflow buttons and gets their status codes.

    Signed in by a session row, as the login form would leave it (the test settings' password hasher is
    not one production knows); the stack shares this process's SECRET_KEY.
    """

    def __init__(self, base_url, user):
        import httpx
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        self.client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False,
                                   cookies={"sessionid": session.session_key})
        page = self.client.get("/admin/")
        assert page.status_code == 200 and "csrftoken" in self.client.cookies, f"not signed in: {page.status_code}"

    def transition(self, digest, name, comment=""):
        """POST a workflow button of the digest's change page; the HTTP status of the answer."""
        headers = {"X-CSRFToken": self.client.cookies["csrftoken"]}
        response = self.client.post(f"/admin/digests/digest/{digest.pk}/transition/{name}/",
                                    data={"version": digest.version, "comment": comment}, headers=headers)
        return response.status_code

    def close(self):
        self.client.close()
