"""Generate a series' draft for a day synchronously, with the same service the Celery task runs."""
import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from digests.generation import service
from digests.generation.writers.chain import ChainFailed
from digests.management.base import TranslatedCommand
from digests.models import Series


class Command(TranslatedCommand):
    help = gettext_lazy("Fetch, merge, rank and write one series' draft for a date (default: today in the series' "
                        "time zone).")

    def add_arguments(self, parser):
        parser.add_argument("--series", required=True, help=gettext_lazy("Series slug, e.g. tech or entertainment"))
        parser.add_argument("--date", help=gettext_lazy("YYYY-MM-DD (default: today)"))
        parser.add_argument("--writer", action="append", dest="writers",
                            help=gettext_lazy("Writer to use instead of NEWSROOM_WRITERS (repeatable): "
                                              "gemini[:model], openai[:model], extractive"))
        parser.add_argument("--feeds-dir", help=gettext_lazy("Read <dir>/<series>/<source host>.xml instead of the "
                                                             "network (the offline demo)"))
        parser.add_argument("--no-fetch", action="store_true",
                            help=gettext_lazy("Use the entries already stored, fetch nothing"))

    def handle(self, *args, series, date, writers, feeds_dir, no_fetch, **options):
        try:
            series_obj = Series.objects.get(slug=series)
        except Series.DoesNotExist:
            known = ", ".join(Series.objects.values_list("slug", flat=True))
            raise CommandError(_("No series %(series)s. Known series: %(known)s.")
                               % {"series": repr(series), "known": known}) from None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(_("--date %(date)s is not a date: use YYYY-MM-DD.") % {"date": repr(date)}) from None
        else:
            day = timezone.localdate(timezone=series_obj.tzinfo)
        if isinstance(writers, str):  # call_command(writer="extractive")
            writers = [writers]

        def progress(message):
            self.stdout.write(f"  {message}")

        self.stdout.write(self.style.MIGRATE_HEADING(_("Generating %(series)s %(date)s")
                                                     % {"series": series_obj.slug, "date": day}))
        try:
            digest = service.generate_draft(series_obj, day, writer_names=writers, fetch=not no_fetch,
                                            feeds_dir=feeds_dir, progress=progress)
        except (service.GenerationError, ChainFailed, FileNotFoundError, ValueError) as exc:
            raise CommandError(f"{exc}\n" + _("The failed run is listed under Generation runs in the admin.")) from exc
        needs = digest.items.filter(needs_attention=True).count()
        values = {"pk": digest.pk, "title": digest.title, "status": digest.get_status_display(),
                  "count": digest.items.count(), "flagged": needs}
        if needs:
            line = _("Draft #%(pk)s “%(title)s” (%(status)s), %(count)d items, %(flagged)d flagged for an "
                     "editor") % values
        else:
            line = _("Draft #%(pk)s “%(title)s” (%(status)s), %(count)d items") % values
        self.stdout.write(self.style.SUCCESS(line))
        return None
