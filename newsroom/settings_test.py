"""Test settings: the real settings with fast hashing and in-memory mail."""
import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DJANGO_DEBUG", "0")

from .settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["*"]

# Several test runs may share one PostgreSQL server (developers in parallel, CI):
# each run gets its own test database instead of dropping another run's.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(  # noqa: F405
        "TEST_DATABASE_NAME", f"test_{DATABASES['default']['NAME']}_{os.getpid()}"  # noqa: F405
    )

# Tests log in hundreds of times; axes' per-login INFO lines would drown real failures.
AXES_VERBOSE = False
# WhiteNoise wants STATIC_ROOT to exist; tests serve static files through the finders instead.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # noqa: F405
