"""WSGI entry point (gunicorn newsroom.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()

# The Korean analyser (about 250 MB) loads now rather than on a reader's first search; with
# gunicorn --preload (the Procfile) the workers share the master's copy.
from digests import search  # noqa: E402

search.analyzer()
