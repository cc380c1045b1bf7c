"""Generate a series' draft for a day synchronously, with the same service the Celery task runs."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digests.generation import service
from digests.generation.writers.chain import ChainFailed
from digests.models import Series


class Command(BaseCommand):
    help = "Fetch, merge, rank and write one series' draft for a date (default: today in the series' time zone)."

    def add_arguments(self, parser):
        parser.add_argument("--series", required=True, help="Series slug, e.g. tech or entertainment")
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--writer", action="append", dest="writers",
                            help="Writer to use instead of NEWSROOM_WRITERS (repeatable): gemini[:model], openai[:model], extractive")
        parser.add_argument("--feeds-dir", help="Read <dir>/<series>/<source host>.xml instead of the network (the offline demo)")
        parser.add_argument("--no-fetch", action="store_true", help="Use the entries already stored, fetch nothing")

    def handle(self, *args, series, date, writers, feeds_dir, no_fetch, **options):
        try:
            series_obj = Series.objects.get(slug=series)
        except Series.DoesNotExist:
            known = ", ".join(Series.objects.values_list("slug", flat=True))
            raise CommandError(f"No series {series!r}. Known series: {known}.") from None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date {date!r} is not a date: use YYYY-MM-DD.") from None
        else:
            day = timezone.localdate(timezone=series_obj.tzinfo)
        if isinstance(writers, str):  # call_command(writer="extractive")
            writers = [writers]

        def progress(message):
            self.stdout.write(f"  {message}")

        self.stdout.write(self.style.MIGRATE_HEADING(f"Generating {series_obj.slug} {day}"))
        try:
            digest = service.generate_draft(series_obj, day, writer_names=writers, fetch=not no_fetch,
                                            feeds_dir=feeds_dir, progress=progress)
        except (service.GenerationError, ChainFailed, FileNotFoundError, ValueError) as exc:
            raise CommandError(f"{exc}\nThe failed run is listed under Generation runs in the admin.") from exc
        needs = digest.items.filter(needs_attention=True).count()
        self.stdout.write(self.style.SUCCESS(f"Draft #{digest.pk} “{digest.title}” ({digest.status}), "
                                             f"{digest.items.count()} items"
                                             + (f", {needs} flagged for an editor" if needs else "")))
        return None
