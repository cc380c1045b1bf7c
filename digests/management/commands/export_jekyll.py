"""export_jekyll SITE_DIR: write the live digests' published versions as Jekyll posts into a site's _posts folder."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from digests.exporting import export_digests
from digests.management.base import TranslatedCommand
from digests.management.commands.import_jekyll import progress_bar
from digests.models import Digest, Series


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Write every live digest, as it was published, to SITE_DIR/_posts/<YYYY-MM-DD>-<slug>.md, each "
        "atomically (temporary file, then rename); a file whose bytes would not change is left untouched. "
        "Digests never published (or unpublished) are not written: only the workflow's publish puts text "
        "on the blog.")

    def add_arguments(self, parser):
        parser.add_argument("site_dir", nargs="?", metavar="SITE_DIR",
                            help=gettext_lazy("The Jekyll site folder (default: the JEKYLL_SITE_DIR setting)"))
        parser.add_argument("--series", metavar="SLUG", help=gettext_lazy("Only this series' digests"))
        parser.add_argument("--no-progress", action="store_true", help=gettext_lazy("No progress bar"))
        parser.add_argument("--commit", action="store_true",
                            help=gettext_lazy("Commit the written files in SITE_DIR's git working copy (author "
                                              "JEKYLL_GIT_AUTHOR) and push to JEKYLL_GIT_REMOTE/JEKYLL_GIT_BRANCH "
                                              "when set"))

    def handle(self, *args, site_dir, series, **options):
        site_dir = site_dir or settings.JEKYLL_SITE_DIR
        if not site_dir:
            raise CommandError(_("No SITE_DIR: pass the Jekyll site folder, or set JEKYLL_SITE_DIR."))
        site = Path(site_dir).expanduser()
        if not site.is_dir():
            raise CommandError(_("SITE_DIR %(site)s is not a folder: create it, or pass the blog's working copy.")
                               % {"site": site})
        digests = Digest.objects.live()
        if series:
            if not Series.objects.filter(slug=series).exists():
                known = ", ".join(Series.objects.values_list("slug", flat=True))
                raise CommandError(_("No series '%(series)s'; the series are: %(known)s.")
                                   % {"series": series, "known": known})
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
            raise CommandError(ngettext(
                "%(count)d digest could not be exported (listed above); the other files were written. Fix what "
                "is named and run the command again.",
                "%(count)d digests could not be exported (listed above); the other files were written. Fix what "
                "is named and run the command again.", len(report.failed)) % {"count": len(report.failed)})

    def _commit(self, site, paths):
        from digests.publishing import ExportError, commit_export

        try:
            commit, pushed = commit_export(site, paths, f"Export {len(paths)} post(s)")
        except ExportError as exc:
            raise CommandError(_("The files were written but not committed: %(error)s") % {"error": exc}) from exc
        if commit and pushed:
            self.stdout.write(_("Committed %(commit)s and pushed.") % {"commit": commit[:10]})
        elif commit:
            self.stdout.write(_("Committed %(commit)s.") % {"commit": commit[:10]})
        elif pushed:
            self.stdout.write(_("Nothing to commit: no post changed. Pushed."))
        else:
            self.stdout.write(_("Nothing to commit: no post changed."))
