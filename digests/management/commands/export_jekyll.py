"""export_jekyll SITE_DIR: write the live digests' published versions as Jekyll posts into a site's _posts folder."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from digests.jekyll_io import export_digests
from digests.management.commands.import_jekyll import progress_bar
from digests.models import Digest, Series


class Command(BaseCommand):
    help = ("Write every live digest, as it was published, to SITE_DIR/_posts/<YYYY-MM-DD>-<slug>.md, each "
            "atomically (temporary file, then rename); a file whose bytes would not change is left untouched. "
            "Digests never published (or unpublished) are not written: only the workflow's publish puts text "
            "on the blog.")

    def add_arguments(self, parser):
        parser.add_argument("site_dir", nargs="?", metavar="SITE_DIR",
                            help="The Jekyll site folder (default: the JEKYLL_SITE_DIR setting)")
        parser.add_argument("--series", metavar="SLUG", help="Only this series' digests")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")
        parser.add_argument("--commit", action="store_true",
                            help="Commit the written files in SITE_DIR's git working copy (author JEKYLL_GIT_AUTHOR) "
                                 "and push to JEKYLL_GIT_REMOTE/JEKYLL_GIT_BRANCH when set")

    def handle(self, *args, site_dir, series, **options):
        site_dir = site_dir or settings.JEKYLL_SITE_DIR
        if not site_dir:
            raise CommandError("No SITE_DIR: pass the Jekyll site folder, or set JEKYLL_SITE_DIR.")
        site = Path(site_dir).expanduser()
        if not site.is_dir():
            raise CommandError(f"SITE_DIR {site} is not a folder: create it, or pass the blog's working copy.")
        digests = Digest.objects.live()
        if series:
            if not Series.objects.filter(slug=series).exists():
                known = ", ".join(Series.objects.values_list("slug", flat=True))
                raise CommandError(f"No series '{series}'; the series are: {known}.")
            digests = digests.filter(live_series__slug=series)
        with progress_bar(self, options, "post") as update:
            report = export_digests(digests.order_by("date", "series__slug", "pk"), site, progress=update)
        for failure in report.failed:
            self.stderr.write(str(failure), self.style.ERROR)
        self.stdout.write(report.summary())
        if options["commit"]:
            # Unchanged files too: one written by an earlier run without --commit is still uncommitted.
            self._commit(site, report.written + report.unchanged)
        if report.failed:
            raise CommandError(f"{len(report.failed)} digest(s) could not be exported (listed above); "
                               "the other files were written.")

    def _commit(self, site, paths):
        from digests.publishing import ExportError, commit_export

        try:
            commit, pushed = commit_export(site, paths, f"Export {len(paths)} post(s)")
        except ExportError as exc:
            raise CommandError(f"The files were written but not committed: {exc}") from exc
        if commit:
            self.stdout.write(f"Committed {commit[:10]}" + (" and pushed" if pushed else "") + ".")
        else:
            self.stdout.write("Nothing to commit: no post changed." + (" Pushed." if pushed else ""))
