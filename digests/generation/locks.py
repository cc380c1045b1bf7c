"""A per-series generation lock that dies with its process: a PostgreSQL advisory lock, or a file lock beside SQLite."""
import fcntl
import hashlib
import logging
import os
import tempfile

from django.db import DatabaseError, connection

log = logging.getLogger(__name__)

# The first key of PostgreSQL's two-key advisory locks: "generation", so other uses cannot collide.
LOCK_CLASS = 0x6E657773


class SeriesLock:
    """Non-blocking: try_acquire() says whether this process now holds the series' lock."""

    def __init__(self, series):
        self.series = series
        self.file = None
        self.held = False

    def _path(self):
        scope = hashlib.sha1(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:12]
        return os.path.join(tempfile.gettempdir(), f"newsroom-generate-{scope}-{self.series.pk}.lock")

    def try_acquire(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, self.series.pk])
                self.held = bool(cursor.fetchone()[0])
            return self.held
        self.file = self.file or open(self._path(), "a+")  # noqa: SIM115 - held open while locked
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.held = True
        return True

    def release(self):
        if self.held and connection.vendor == "postgresql":
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, self.series.pk])
            except DatabaseError:
                # A broken transaction cannot unlock; the lock then ends with the session, and
                # must not hide the error that broke it.
                log.warning("could not release the generation lock of series %s", self.series.pk, exc_info=True)
        if self.file is not None:
            if self.held:
                fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None
        self.held = False
