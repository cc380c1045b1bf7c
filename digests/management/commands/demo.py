"""Sets up a demo on the embedded defaults (SQLite, no Redis, no API key) and serves it."""
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digests.models import Series

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
DEMO_PASSWORD = "newsroom-demo"
DEMO_USERS = [
    ("admin", None, True),
    ("editor", "Editor", False),
    ("reviewer", "Reviewer", False),
    ("reviewer2", "Reviewer", False),
    ("publisher", "Publisher", False),
]


class Command(BaseCommand):
    help = "Create the database, import the sample posts, draft today's digests offline, create demo logins, serve."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="Where to serve (default 127.0.0.1:8000)")
        parser.add_argument("--no-serve", action="store_true", help="Set everything up, then exit")

    def handle(self, *args, addrport, no_serve, **options):
        self.step("1/5 Compiling the Korean translations and creating the database")
        call_command("compile_translations", verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)

        self.step("2/5 Importing the sample posts")
        call_command("import_jekyll", str(SAMPLE_DIR / "posts"), no_progress=True)

        self.step("3/5 Drafting today's digests from the sample feeds (offline, extractive writer)")
        today = timezone.localdate()
        for series in Series.objects.filter(slug__in=["tech", "entertainment"]):
            try:
                call_command(
                    "generate_digest",
                    series=series.slug,
                    date=today.isoformat(),
                    writer="extractive",
                    feeds_dir=str(SAMPLE_DIR / "feeds"),
                )
            except CommandError as exc:
                self.stderr.write(self.style.WARNING(f"  {series.slug}: {exc}"))

        self.step("4/5 Creating demo logins")
        User = get_user_model()
        for username, role, superuser in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
        logins = ", ".join(name for name, _, _ in DEMO_USERS)
        self.stdout.write(f"  Logins ({logins}) all use the password: {DEMO_PASSWORD}")

        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.step(f"5/5 Serving: site http://{host}/  admin http://{host}/admin/  (Ctrl-C stops)")
        if no_serve:
            return
        if not settings.DEBUG:
            self.stderr.write(self.style.WARNING("  DJANGO_DEBUG is off: static files are served only after collectstatic."))
        call_command("runserver", addrport, use_reloader=False)

    def step(self, text):
        self.stdout.write(self.style.MIGRATE_HEADING(text))
