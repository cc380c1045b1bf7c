"""Write the live digests' published versions into a site folder as Jekyll post files, each file atomic."""
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from .jekyll_io import Problem, Progress
from .publishing import ExportError, post_relpath, render_live, write_atomic

EXPORT_CHUNK = 500


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)

    def summary(self):
        counts = {"written": len(self.written), "unchanged": len(self.unchanged), "failed": len(self.failed)}
        if self.failed:
            return _("Wrote %(written)d, unchanged %(unchanged)d, failed %(failed)d") % counts
        return _("Wrote %(written)d, unchanged %(unchanged)d") % counts


def export_digests(queryset, site_dir, progress: Progress | None = None) -> ExportReport:
    """Write the published version of each live digest of `queryset` to SITE_DIR/_posts/<date>-<slug>.md.

    Only what readers see goes out: a digest never published is not written, and a reopened one
    is written as it was published, not as it is being edited.
    """
    site = Path(site_dir)
    (site / "_posts").mkdir(parents=True, exist_ok=True)
    digests = queryset.live().select_related("series").defer("generated_snapshot", "provenance")
    total = digests.count() if progress else 0
    report = ExportReport()
    for done, digest in enumerate(digests.iterator(chunk_size=EXPORT_CHUNK), start=1):
        path = str(site / post_relpath(digest))
        try:
            written = write_atomic(path, render_live(digest))
        except OSError as exc:
            report.failed.append(Problem(path, None, _(
                "digest %(pk)s (%(digest)s) not written: %(reason)s; check that this folder can be written, then "
                "run the export again") % {"pk": digest.pk, "digest": digest, "reason": exc.strerror or exc}))
        except (ExportError, ValueError) as exc:
            report.failed.append(Problem(path, None, _("not written: %(error)s") % {"error": exc}))
        else:
            (report.written if written else report.unchanged).append(path)
        if progress:
            progress(done, total)
    return report
