"""Settings for newsroom, driven by environment variables (see README "Configuration")."""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The name readers and editors see: the site's brand, the admin's header and title.
SITE_NAME = os.environ.get("SITE_NAME", "뉴스룸")
# The blog's own `url` (its _config.yml): Atom entry ids are the ones jekyll-feed gives its posts.
BLOG_URL = os.environ.get("BLOG_URL", SITE_URL).rstrip("/")
SITE_DESCRIPTION = os.environ.get("SITE_DESCRIPTION", "매일 정오, 글로벌 IT와 연예/문화 뉴스 Top 5를 정리합니다.")

TIME_ZONE = "Asia/Seoul"
LANGUAGE_CODE = "ko"
# Korean is the product's language: a browser asking for English still gets Korean.
LANGUAGES = [("ko", "한국어")]
# Our catalogue (English msgids, Korean shipped); the .mo is compiled by `manage.py compile_translations`.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# DATABASES
# ------------------------------------------------------------------------------
# SQLite in the project folder is the zero-setup default; DATABASE_URL switches to
# PostgreSQL (postgres://user@host:5432/name, through psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Celery workers and the web process share the file: wait for the lock
    # instead of failing at once, and take the write lock at BEGIN.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "markdownx",
    "nested_admin",
    "django_celery_beat",
    "csp",
    "axes",
    "digests",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL in the address is a 400 naming it, not a database error (issue 13).
    "digests.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # PRODUCTION (publishing issue): cached public pages are answered here, before the rest.
    "digests.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "digests.context_processors.site",
            ],
        },
    },
]

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# PRODUCTION (publishing issue): admin login attempts are limited by django-axes, which must come first.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
# Per user name from one address, so one attacker cannot lock every editor out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# How many reverse proxies (load balancer, nginx) stand in front: the client address is read past them.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None

# STATIC
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# CACHES
# ------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            # The page cache is an optimisation: a Redis that is down or hangs costs a reader 0.5 s at most.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "600"))
# HTTP caching of public pages: proxies and CDNs keep them this long (publishing shows within it: nginx
# counts whole seconds and a busy server takes its time to answer, so 5 s stays well inside 10), browsers
# this long (news: a minute); both revalidate with the ETag afterwards.
PUBLIC_SHARED_SECONDS = int(os.environ.get("PUBLIC_SHARED_SECONDS", "5"))
PUBLIC_BROWSER_SECONDS = int(os.environ.get("PUBLIC_BROWSER_SECONDS", "60"))

# CELERY
# ------------------------------------------------------------------------------
# Without REDIS_URL (the zero-setup demo) tasks run in-process, eagerly.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not (REDIS_URL or os.environ.get("CELERY_BROKER_URL")))
# In-process tasks (the demo) log their failures instead of failing the request that queued them
# after its transaction committed; tests turn propagation on to see them.
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXTENDED = True
# A task may not run forever: soft limit first so it can clean up, then the hard kill.
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "600"))
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "540"))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Redis hands a task whose worker died (unacknowledged) to another worker after this long: just over
# the longest task limit (no task may set a longer one; a test checks), so a killed worker's work
# resumes within minutes and a running task is never handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(CELERY_TASK_TIME_LIMIT + 60))),
}

# EMAIL AND NOTIFICATIONS
# ------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
SLACK_WEBHOOK_URL = os.environ.get("SLACK_WEBHOOK_URL", "")

# NEWSROOM
# ------------------------------------------------------------------------------
JEKYLL_SITE_DIR = os.environ.get("JEKYLL_SITE_DIR", "")
JEKYLL_GIT_REMOTE = os.environ.get("JEKYLL_GIT_REMOTE", "")
JEKYLL_GIT_BRANCH = os.environ.get("JEKYLL_GIT_BRANCH", "")
JEKYLL_GIT_AUTHOR = os.environ.get("JEKYLL_GIT_AUTHOR", "Newsroom <newsroom@localhost>")
# A failed export (disk, git, push) is tried again after base × 2^(n-1) seconds, at most the max.
NEWSROOM_EXPORT_RETRY_SECONDS = float(os.environ.get("NEWSROOM_EXPORT_RETRY_SECONDS", "30"))
NEWSROOM_EXPORT_RETRY_MAX_SECONDS = float(os.environ.get("NEWSROOM_EXPORT_RETRY_MAX_SECONDS", "900"))
NEWSROOM_ALLOW_SELF_APPROVAL = env_bool("NEWSROOM_ALLOW_SELF_APPROVAL", False)
# No "published" notifications on Saturdays and Sundays (the reviewers' days off).
NEWSROOM_NOTIFY_WEEKDAYS_ONLY = env_bool("NEWSROOM_NOTIFY_WEEKDAYS_ONLY", False)
NEWSROOM_ALLOW_PRIVATE_HOSTS = env_bool("NEWSROOM_ALLOW_PRIVATE_HOSTS", False)
# Narrower than the switch above: only these hosts/IPs/networks (e.g. "127.0.0.1") may be private.
NEWSROOM_ALLOWED_PRIVATE_HOSTS = env_list("NEWSROOM_ALLOWED_PRIVATE_HOSTS")
# Feed fetching: timeouts (s), body cap (bytes), redirect hops; candidates: window (h) before the scheduled time.
NEWSROOM_FEED_CONNECT_TIMEOUT = float(os.environ.get("NEWSROOM_FEED_CONNECT_TIMEOUT", "5"))
NEWSROOM_FEED_READ_TIMEOUT = float(os.environ.get("NEWSROOM_FEED_READ_TIMEOUT", "15"))
NEWSROOM_FEED_MAX_BYTES = int(os.environ.get("NEWSROOM_FEED_MAX_BYTES", str(5 * 1024 * 1024)))
NEWSROOM_FEED_MAX_REDIRECTS = int(os.environ.get("NEWSROOM_FEED_MAX_REDIRECTS", "3"))
# At most this many fetches at once to one host (feeds and article pages).
NEWSROOM_FETCH_PER_HOST = int(os.environ.get("NEWSROOM_FETCH_PER_HOST", "2"))
# Feeds and article pages are asked for under this name, with where to find who runs it (robots-friendly).
NEWSROOM_USER_AGENT = os.environ.get("NEWSROOM_USER_AGENT", f"newsroom-feed-fetcher/1.0 (+{SITE_URL}/)")
# Article pages of the stories offered to the writer: read them (off for the offline demo), cap, bound.
NEWSROOM_FETCH_ARTICLES = env_bool("NEWSROOM_FETCH_ARTICLES", True)
NEWSROOM_ARTICLE_MAX_BYTES = int(os.environ.get("NEWSROOM_ARTICLE_MAX_BYTES", str(3 * 1024 * 1024)))
NEWSROOM_ARTICLE_MAX_CHARS = int(os.environ.get("NEWSROOM_ARTICLE_MAX_CHARS", "20000"))
NEWSROOM_ARTICLE_DEADLINE = float(os.environ.get("NEWSROOM_ARTICLE_DEADLINE", "45"))
# What the writer reads of each source of a story (characters), and of how many sources.
NEWSROOM_PROMPT_SOURCE_CHARS = int(os.environ.get("NEWSROOM_PROMPT_SOURCE_CHARS", "1500"))
NEWSROOM_PROMPT_SOURCES = int(os.environ.get("NEWSROOM_PROMPT_SOURCES", "4"))
NEWSROOM_CANDIDATE_WINDOW_HOURS = float(os.environ.get("NEWSROOM_CANDIDATE_WINDOW_HOURS", "24"))
# Writer calls: timeout (s), attempts per writer on timeouts/429/5xx, first backoff (s), longest wait (s).
NEWSROOM_WRITER_TIMEOUT = float(os.environ.get("NEWSROOM_WRITER_TIMEOUT", "120"))
NEWSROOM_WRITER_ATTEMPTS = int(os.environ.get("NEWSROOM_WRITER_ATTEMPTS", "3"))
NEWSROOM_WRITER_BACKOFF = float(os.environ.get("NEWSROOM_WRITER_BACKOFF", "2"))
NEWSROOM_WRITER_MAX_WAIT = float(os.environ.get("NEWSROOM_WRITER_MAX_WAIT", "60"))
# The writer chain, tried in order: "gemini:gemini-2.5-flash,openai:…,extractive".
NEWSROOM_WRITERS = env_list(
    "NEWSROOM_WRITERS", "gemini:gemini-2.5-flash,gemini:gemini-2.5-flash-lite,openai,extractive"
)
GEMINI_API_KEY = os.environ.get("GEMINI_API_KEY", "")
GEMINI_BASE_URL = os.environ.get("GEMINI_BASE_URL", "")
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")
OPENAI_MODEL = os.environ.get("OPENAI_MODEL", "")
NEWSROOM_PREVIEW_MAX_AGE = int(os.environ.get("NEWSROOM_PREVIEW_MAX_AGE", str(3 * 24 * 3600)))

# MARKDOWNX
# ------------------------------------------------------------------------------
# The editor's preview is the reader site's renderer (digests/markdown.py), sanitizer and all.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "digests.markdown.render"

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_CONTENT_TYPE_NOSNIFF = True
# Nothing of ours is meant to be framed (check --deploy asks for DENY; the CSP says the same).
X_FRAME_OPTIONS = "DENY"
# PRODUCTION (publishing issue): HSTS details, referrer policy and the Content-Security-Policy.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere (public pages and admin alike), so no nonces: cached pages stay valid.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # PRODUCTION (publishing issue): structured logs, one JSON object a line (LOG_FORMAT=json).
        "json": {"()": "newsroom.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
