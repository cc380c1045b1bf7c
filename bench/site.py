"""Requests/s for a digest page from gunicorn: page cache hit, cache miss, and the same HTML as a whitenoise static file.

    .venv/bin/python bench/site.py [--requests N] [--concurrency C] [--workers W] [--redis redis://127.0.0.1:6379/N]

Builds a throwaway SQLite database and STATIC_ROOT in a temporary folder, renders one
digest page into STATIC_ROOT, starts gunicorn (production settings, 2 workers) on an
ephemeral port of 127.0.0.1, and drives it with a thread pool of HTTP clients. All three
figures come from the same server in the same run; ratios are against the static file.
Target: cached >= 0.5x static.
"""
import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_CACHED_VS_STATIC = 0.5
DIGESTS = 30


def step(text):
    print(f"... {text}", file=sys.stderr, flush=True)


def environment(tmp, redis_url):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "PUBLIC_CACHE_SECONDS": "3600",
        "SECURE_COOKIES": "0",
    }
    if redis_url:
        env["REDIS_URL"] = env["CELERY_BROKER_URL"] = redis_url
        env["CACHE_KEY_PREFIX"] = f"bench-{secrets.token_hex(4)}"
    return env


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


SETUP = """
import django, datetime as dt
django.setup()
from django.core.cache import cache
from django.test import Client
from digests.models import Series
from digests.tests.live import live_digest
tech = Series.objects.get(slug="tech")
digests = [live_digest(series=tech, tags=["AI", "클라우드"], date=dt.date(2026, 1, 1) + dt.timedelta(days=i))
           for i in range({count})]
url = digests[len(digests) // 2].get_absolute_url()
cache.clear()
response = Client(HTTP_HOST="127.0.0.1").get(url)
assert response.status_code == 200, response.status_code
out = {out!r}
import pathlib
pathlib.Path(out).parent.mkdir(parents=True, exist_ok=True)
pathlib.Path(out).write_bytes(response.content)
print(url)
"""


def run_load(url, total, concurrency):
    """`total` GETs of `url` from `concurrency` threads; requests/s and any non-200 answers."""
    import httpx

    lock, counter, failures = threading.Lock(), [0], []

    def worker():
        with httpx.Client(timeout=30) as client:
            while True:
                with lock:
                    if counter[0] >= total:
                        return
                    counter[0] += 1
                    n = counter[0]
                response = client.get(url.replace("{n}", str(n)))
                if response.status_code != 200:
                    failures.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total / (time.perf_counter() - start), failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--redis", metavar="URL", help="use this Redis for the page cache instead of local memory")
    args = parser.parse_args()

    import httpx

    tmp = Path(tempfile.mkdtemp(prefix="newsroom-bench-site-"))
    env = environment(tmp, args.redis)
    server = None
    try:
        step("migrating a throwaway SQLite database")
        manage(env, "migrate", "--no-input", "-v", "0")
        step("collectstatic")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        step(f"creating {DIGESTS} published digests and rendering one page to a static file")
        static_copy = tmp / "static" / "bench" / "digest.html"
        result = subprocess.run([sys.executable, "-c", SETUP.format(count=DIGESTS, out=str(static_copy))], cwd=ROOT,
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"setting up the data failed:\n{result.stderr}")
        page = result.stdout.strip().splitlines()[-1]

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        port = sock.getsockname()[1]
        step(f"starting gunicorn ({args.workers} workers) on 127.0.0.1:{port}")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"fd://{sock.fileno()}",
             "--workers", str(args.workers), "--log-level", "warning"],
            cwd=ROOT, env=env, pass_fds=[sock.fileno()],
        )
        sock.close()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/robots.txt", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            sys.exit("gunicorn did not answer within 10 s: run it by hand to see why")

        static_url, page_url = base + "/static/bench/digest.html", base + page
        served = httpx.get(static_url)
        first = httpx.get(page_url)
        hit = httpx.get(page_url)
        if served.status_code != 200 or first.status_code != 200:
            sys.exit(f"static {served.status_code}, page {first.status_code}: the server is not set up right")
        same = served.content == hit.content
        step(f"page {page}: {len(hit.content)} bytes, X-Cache {first.headers.get('x-cache')} then "
             f"{hit.headers.get('x-cache')}, identical to the static file: {same}")

        # Warm both workers' connections and caches before timing anything.
        run_load(page_url, 200, args.concurrency)
        run_load(static_url, 200, args.concurrency)
        results = {}
        for name, url, total in [
            ("static file (whitenoise)", static_url, args.requests),
            ("digest page, cached", page_url, args.requests),
            # A new query string each time: a cache miss that runs the view and stores the page.
            ("digest page, uncached", page_url + "?n={n}", max(args.requests // 4, 100)),
        ]:
            step(f"{name}: {total} requests, {args.concurrency} client threads")
            rate, failures = run_load(url, total, args.concurrency)
            if failures:
                sys.exit(f"{name}: {len(failures)} non-200 answers, e.g. {failures[:5]}")
            results[name] = rate

        static = results["static file (whitenoise)"]
        print(f"\nbench/site.py  gunicorn {args.workers} workers, {args.concurrency} client threads, "
              f"cache {'Redis' if args.redis else 'local memory'}, page {len(hit.content)} bytes")
        print(f"{'':28}{'req/s':>10}{'vs static':>12}")
        for name, rate in results.items():
            print(f"{name:28}{rate:10.0f}{rate / static:11.2f}x")
        cached_ratio = results["digest page, cached"] / static
        verdict = "met" if cached_ratio >= TARGET_CACHED_VS_STATIC else "NOT met"
        print(f"target cached >= {TARGET_CACHED_VS_STATIC}x static: {verdict} ({cached_ratio:.2f}x)")
        return 0 if cached_ratio >= TARGET_CACHED_VS_STATIC else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
