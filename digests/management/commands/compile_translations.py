"""Compiles the project's .po catalogues (locale/*/LC_MESSAGES/*.po) to .mo files, in pure Python (polib).

Django's compilemessages needs GNU gettext's msgfmt, a Debian package a fresh machine may lack; the
demo and the test suite run this instead. Catalogues whose .mo is newer than the .po are skipped.
"""
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def compile_all(force=False):
    """Compile every catalogue under LOCALE_PATHS; returns the .mo files written."""
    written = []
    for root in settings.LOCALE_PATHS:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            try:
                catalogue = polib.pofile(str(po_path))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{po_path} cannot be read: {exc}. Fix the file (msgfmt --check shows where).") from exc
            tmp = mo_path.with_suffix(".mo.tmp")
            catalogue.save_as_mofile(str(tmp))
            tmp.replace(mo_path)  # a running server never reads a half-written file
            written.append(mo_path)
    return written


class Command(BaseCommand):
    help = "Compile the translations (locale/*/LC_MESSAGES/django.po) to .mo files without GNU gettext."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile even catalogues whose .mo is up to date")

    def handle(self, *args, force, **options):
        written = compile_all(force=force)
        for path in written:
            self.stdout.write(f"compiled {path.relative_to(settings.BASE_DIR)}")
        if not written:
            self.stdout.write("translations are up to date")
