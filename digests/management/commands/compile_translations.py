"""Compiles the project's .po catalogues (locale/*/LC_MESSAGES/*.po) to .mo files, in pure Python (polib).

Django's compilemessages needs GNU gettext's msgfmt, a Debian package a fresh machine may lack; the
demo and the test suite run this instead. A .mo that is already what the .po compiles to is left alone.
"""
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation.reloader import translation_file_changed


def compile_all(force=False):
    """Compile every catalogue under LOCALE_PATHS; returns the .mo files written (those that changed)."""
    written = []
    for root in settings.LOCALE_PATHS:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            try:
                compiled = polib.pofile(str(po_path)).to_binary()
            except (OSError, ValueError) as exc:
                raise CommandError(f"{po_path} cannot be read: {exc}. Fix the file (msgfmt --check shows where).") from exc
            # Compared by content, not by time: a catalogue saved twice in one second is still compiled.
            if not force and mo_path.exists() and mo_path.read_bytes() == compiled:
                continue
            tmp = mo_path.with_suffix(".mo.tmp")
            tmp.write_bytes(compiled)
            tmp.replace(mo_path)  # a running server never reads a half-written file
            written.append(mo_path)
    if written:
        # Django read the catalogues when it started (before this .mo existed, on a fresh checkout):
        # forget them, so this process too (the demo's server) reads the new ones.
        translation_file_changed(None, written[0])
    return written


class Command(BaseCommand):
    help = "Compile the translations (locale/*/LC_MESSAGES/django.po) to .mo files without GNU gettext."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile even catalogues whose .mo is up to date")

    def handle(self, *args, force, **options):
        written = compile_all(force=force)
        if options["verbosity"] < 1:
            return
        for path in written:
            self.stdout.write(f"compiled {path}")
        if not written:
            self.stdout.write("translations are up to date")
