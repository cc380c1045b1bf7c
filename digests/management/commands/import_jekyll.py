"""import_jekyll PATH...: read the blog's post files (or folders of them) into digests."""
from contextlib import contextmanager

from django.core.management.base import CommandError
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from tqdm import tqdm

from digests.jekyll_io import import_paths
from digests.management.base import TranslatedCommand
from digests.models import Status

# Runs shorter than this show no bar at all.
PROGRESS_DELAY = 1.0


@contextmanager
def progress_bar(command, options, unit):
    """A tqdm bar on stderr for runs longer than a second; none when stderr is not a terminal or with --no-progress."""
    stream = getattr(command.stderr, "_out", command.stderr)
    disable = options.get("no_progress") or not stream.isatty()
    with tqdm(total=0, file=stream, unit=unit, disable=disable, delay=PROGRESS_DELAY, dynamic_ncols=True) as bar:

        def update(done, total):
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        yield update


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Import Jekyll posts (files, folders of them, or a site folder's _posts) as digests. A digest is "
        "identified by its series (the category) and date, so importing again updates it. One transaction "
        "per file: a file that cannot be imported is listed with its reason and nothing of it is stored.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help=gettext_lazy("Post files or folders of them"))
        parser.add_argument("--status", default=Status.PUBLISHED, choices=Status.values,
                            help=gettext_lazy("Status of the imported digests (default: published, live for readers)"))
        parser.add_argument("--no-progress", action="store_true", help=gettext_lazy("No progress bar"))

    def handle(self, *args, paths, status, **options):
        with progress_bar(self, options, "post") as update:
            report = import_paths(paths, status=status, progress=update)
        if options["verbosity"] >= 1:
            for warning in report.warnings:
                self.stderr.write(_("warning: %(warning)s") % {"warning": warning}, self.style.WARNING)
        for failure in report.failed:
            self.stderr.write(str(failure), self.style.ERROR)
        self.stdout.write(report.summary())
        if report.failed:
            raise CommandError(ngettext(
                "%(count)d file could not be imported (listed above, nothing of it was stored). Fix it and run "
                "the command again: files already imported are updated, not duplicated.",
                "%(count)d files could not be imported (listed above, nothing of them was stored). Fix them and "
                "run the command again: files already imported are updated, not duplicated.",
                len(report.failed)) % {"count": len(report.failed)})
