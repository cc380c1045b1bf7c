"""gunicorn and Debian's nginx with deploy/nginx.conf, started on free ports (the proxy test and bench/site.py)."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from digests.tests.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MAIN_CONFIG = """\
user root;
worker_processes {workers};
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    include {folder}/newsroom.conf;
}}
"""


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url} within {timeout} s: see the logs in its folder")


def site_config(folder: Path, app_port: int, proxy_port: int, static_root: Path) -> str:
    """deploy/nginx.conf as shipped, with these ports and folders on the lines it marks "# site:"."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in [("/var/cache/nginx/newsroom", str(folder / "cache")), ("127.0.0.1:8000", f"127.0.0.1:{app_port}"),
                     ("listen 80;", f"listen 127.0.0.1:{proxy_port};"), ("/srv/newsroom/staticfiles/", f"{static_root}/")]:
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Stack:
    """gunicorn (`workers` sync workers, --preload) behind nginx, each in its own process group; logs in `folder`."""

    def __init__(self, folder: Path, env: dict, static_root: Path, workers=2, nginx_workers=1):
        self.folder, self.env, self.static_root = folder, env, static_root
        self.workers, self.nginx_workers = workers, nginx_workers
        self.app_port, self.proxy_port = free_port(), free_port()
        self.app_url, self.proxy_url = f"http://127.0.0.1:{self.app_port}", f"http://127.0.0.1:{self.proxy_port}"
        self.processes = []

    def start(self):
        self.log = open(self.folder / "gunicorn.log", "ab")
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{self.app_port}",
             "--workers", str(self.workers), "--preload", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True))
        (self.folder / "cache").mkdir(exist_ok=True)
        (self.folder / "newsroom.conf").write_text(
            site_config(self.folder, self.app_port, self.proxy_port, self.static_root))
        (self.folder / "nginx.conf").write_text(MAIN_CONFIG.format(folder=self.folder, workers=self.nginx_workers))
        command = [NGINX, "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder)]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise AssertionError(f"nginx refuses the configuration:\n{check.stderr}")
        self.processes.append(subprocess.Popen(command, start_new_session=True))
        wait_for(self.app_url + "/robots.txt", timeout=60)
        wait_for(self.proxy_url + "/robots.txt")
        return self

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:  # a worker stuck past the graceful stop
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)
        self.processes = []
        self.log.close()
