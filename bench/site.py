"""Requests/s for the reader site under wrk: nginx and WhiteNoise serving a digest page's bytes as a file, gunicorn's
page cache, the nginx proxy cache (deploy/nginx.conf), uncached pages, and feed polls with If-None-Match.

    .venv/bin/python bench/site.py [--digests N] [--seconds S] [--rounds R] [--connections C] [--workers W]

Builds a throwaway SQLite database (N live digests, 400 by default: about the blog's archive)
and STATIC_ROOT in a temporary folder, renders one digest page into STATIC_ROOT, starts
gunicorn (production settings, W sync workers, --preload) behind Debian's nginx with
deploy/nginx.conf, and drives each URL with wrk (Debian's package) for S seconds, in R rounds
over all URLs (the best of each round counts, as load from others hits every row). A Lua script
counts the answers: only 2xx (304 for the If-None-Match polls) count; anything else is
reported and fails the run. All figures come from one run; ratios are against nginx serving
the file. Targets: through the proxy >= 0.5x nginx static; uncached digest page >= 0.1x
WhiteNoise static. On a shared machine the figures move between runs: compare ratios.
"""
import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGETS = {"through the nginx proxy cache": ("nginx static file", 0.5),
           "digest page, uncached": ("static file (whitenoise)", 0.1)}

# Counts answers per thread; done() prints the totals. A request() that adds ?n=<thread>-<count> makes
# every request a new URL (a page cache miss) when the script is given "unique".
LUA = r"""
local threads = {}
function setup(thread) thread:set("id", #threads + 1); table.insert(threads, thread) end
function init(args)
  ok, other, count, expect, unique = 0, 0, 0, tonumber(args[1]) or 200, args[2] == "unique"
  statuses = {}
  if args[3] then wrk.headers["If-None-Match"] = args[3] end
end
function request()
  count = count + 1
  if unique then return wrk.format(nil, wrk.path .. "?n=" .. id .. "-" .. count) end
  return wrk.format(nil, wrk.path)
end
function response(status, headers, body)
  if (expect == 304 and status == 304) or (expect ~= 304 and status >= 200 and status < 300) then
    ok = ok + 1
  else
    other = other + 1; statuses[status] = (statuses[status] or 0) + 1
  end
end
function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, t in ipairs(threads) do total_ok = total_ok + t:get("ok"); total_other = total_other + t:get("other") end
  io.write(string.format("COUNTED ok=%d other=%d errors=%d seconds=%.3f p99_ms=%.2f\n", total_ok, total_other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(99) / 1000))
end
"""

SETUP = """
import django, datetime as dt, pathlib
django.setup()
from django.test import Client
from digests.models import Series
from digests.tests.live import live_digest
tech, ent = Series.objects.get(slug="tech"), Series.objects.get(slug="entertainment")
count = {count}
digests = [live_digest(series=tech if i % 2 == 0 else ent, tags=["AI", "클라우드"],
                       date=dt.date(2025, 1, 1) + dt.timedelta(days=i // 2)) for i in range(count)]
url = digests[len(digests) // 2].get_absolute_url()
response = Client(HTTP_HOST="127.0.0.1").get(url)
assert response.status_code == 200, response.status_code
out = pathlib.Path({out!r})
out.parent.mkdir(parents=True, exist_ok=True)
out.write_bytes(response.content)
print(url)
"""


def step(text):
    print(f"... {text}", file=sys.stderr, flush=True)


def environment(tmp):
    return {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings", "DJANGO_DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"), "LOG_LEVEL": "WARNING", "CELERY_TASK_ALWAYS_EAGER": "1",
        "PUBLIC_CACHE_SECONDS": "3600", "SECURE_COOKIES": "0",
        # Persistent database connections, as README "Running it for real" sets them.
        "CONN_MAX_AGE": "60",
    }


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def wrk(url, seconds, connections, script, *args):
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", str(script), url]
    if args:
        command += ["--", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"COUNTED ok=(\d+) other=(\d+) errors=(\d+) seconds=([\d.]+) p99_ms=([\d.]+)", result.stdout)
    if result.returncode != 0 or not found:
        sys.exit(f"wrk failed on {url}:\n{result.stdout}\n{result.stderr}")
    ok, other, errors, elapsed, p99 = found.groups()
    return int(ok) / float(elapsed), int(other), int(errors), float(p99)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=400, help="live digests in the database (default 400)")
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per measurement (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all URLs; the best of each counts (3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32, 2 threads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()
    for tool, package in (("wrk", "wrk"), ("nginx", "nginx-light")):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is not installed: run 'apt-get install {package}' (as root) and try again")

    from digests.tests.proxy import Stack

    tmp = Path(tempfile.mkdtemp(prefix="newsroom-bench-site-"))
    env = environment(tmp)
    stack = None
    try:
        step("migrating a throwaway SQLite database")
        manage(env, "migrate", "--no-input", "-v", "0")
        step("collectstatic")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        step(f"creating {args.digests} live digests (indexed for search) and rendering one page to a static file")
        static_copy = tmp / "static" / "bench" / "digest.html"
        result = subprocess.run([sys.executable, "-c", SETUP.format(count=args.digests, out=str(static_copy))],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"setting up the data failed:\n{result.stderr[-3000:]}")
        page = result.stdout.strip().splitlines()[-1]
        step(f"starting gunicorn ({args.workers} workers) behind nginx (deploy/nginx.conf)")
        stack = Stack(tmp, env, tmp / "static", workers=args.workers, nginx_workers=2).start()

        import httpx

        app, proxy = stack.app_url, stack.proxy_url
        served, hit = httpx.get(app + "/static/bench/digest.html"), httpx.get(app + page)
        hit = httpx.get(app + page)
        through = [httpx.get(proxy + page) for _ in range(2)][-1]
        feed = httpx.get(app + "/feed.xml")
        if served.status_code != 200 or hit.status_code != 200 or through.status_code != 200:
            sys.exit(f"static {served.status_code}, page {hit.status_code}, proxy {through.status_code}: not set up right")
        step(f"page {page}: {len(hit.content)} bytes, gunicorn X-Cache {hit.headers.get('x-cache')}, nginx "
             f"{through.headers.get('x-proxy-cache')}, same bytes as the file: {served.content == hit.content}")
        script = tmp / "count.lua"
        script.write_text(LUA)
        runs = [
            ("nginx static file", proxy + "/static/bench/digest.html", ()),
            ("static file (whitenoise)", app + "/static/bench/digest.html", ()),
            ("digest page, gunicorn page cache", app + page, ()),
            ("through the nginx proxy cache", proxy + page, ()),
            ("digest page, uncached", app + page, ("200", "unique")),
            ("feed poll, If-None-Match (304)", app + "/feed.xml", ("304", "", feed.headers["etag"])),
            ("feed poll via nginx (304)", proxy + "/feed.xml", ("304", "", feed.headers["etag"])),
        ]
        results, failed = {name: (0.0, 0.0) for name, _, _ in runs}, []
        for name, url, extra in runs:
            wrk(url, 1, args.connections, script, *extra)  # warm up: connections, caches, the analyser
        # Round robin, best of each: load from others on a shared machine hits every row alike.
        for round_ in range(1, args.rounds + 1):
            for name, url, extra in runs:
                step(f"round {round_}/{args.rounds} {name}: wrk {args.seconds} s, {args.connections} connections")
                rate, other, errors, p99 = wrk(url, args.seconds, args.connections, script, *extra)
                if other or errors:
                    failed.append(f"{name}: {other} answers of the wrong status, {errors} socket errors")
                if rate > results[name][0]:
                    results[name] = (rate, p99)

        base = results["nginx static file"][0]
        print(f"\nbench/site.py  wrk 2 threads {args.connections} connections, best of {args.rounds} x {args.seconds} s; gunicorn "
              f"{args.workers} sync workers; {args.digests} digests; page {len(hit.content)} bytes; "
              f"{os.cpu_count()} cores (shared: figures move between runs, ratios less)")
        print(f"{'':36}{'req/s':>10}{'vs nginx':>10}{'p99 ms':>9}")
        for name, (rate, p99) in results.items():
            print(f"{name:36}{rate:10.0f}{rate / base:9.3f}x{p99:9.1f}")
        status = 0
        for name, (baseline, target) in TARGETS.items():
            ratio = results[name][0] / results[baseline][0]
            met = ratio >= target
            status |= not met
            print(f"target {name} >= {target}x {baseline}: {'met' if met else 'NOT met'} ({ratio:.3f}x)")
        for line in failed:
            print("FAILED", line)
        return 1 if failed else status
    finally:
        if stack is not None:
            stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
