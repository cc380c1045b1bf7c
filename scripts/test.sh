#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh Debian machine, then runs it:
# once on SQLite (the default) and once on PostgreSQL.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Python environment (.venv)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt

need=()
command -v jekyll >/dev/null || need+=(jekyll ruby-jekyll-feed)
dpkg -s ruby-jekyll-feed >/dev/null 2>&1 || need+=(ruby-jekyll-feed)
command -v chromium >/dev/null || need+=(chromium)
# The proxy test puts Debian's nginx in front of gunicorn; the outage tests start their own redis-server.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need+=(nginx-light)
command -v redis-server >/dev/null || need+=(redis-server)
# Korean glyphs for the browser tests' screenshots (otherwise boxes).
dpkg -s fonts-nanum >/dev/null 2>&1 || need+=(fonts-nanum)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
command -v git >/dev/null || need+=(git)
# GNU gettext's xgettext: the catalogue test extracts every translatable string with makemessages.
command -v xgettext >/dev/null || need+=(gettext)
# The fault tests make _posts immutable with chattr.
command -v chattr >/dev/null || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
  step "Debian packages: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages ${need[*]}: run 'sudo apt-get install ${need[*]}' and try again." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "Korean translations (compiled in pure Python, as the demo does)"
DJANGO_SETTINGS_MODULE=newsroom.settings_test .venv/bin/python manage.py compile_translations

step "Services"
bash scripts/services.sh

PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_TEST_URL="${REDIS_TEST_URL:-redis://127.0.0.1:6379/15}"

status=0
step "Test suite on SQLite"
.venv/bin/python -m pytest "$@" || status=$?
step "Test suite on PostgreSQL ($PG_URL)"
DATABASE_URL="$PG_URL" .venv/bin/python -m pytest "$@" || status=$?
if [ $status -ne 0 ]; then
  echo "Some tests failed: scroll up to the first FAILED/ERROR line; artifacts are in artifacts/." >&2
fi
exit $status
