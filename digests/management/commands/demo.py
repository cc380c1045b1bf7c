"""Sets up a demo on the embedded defaults (SQLite, no Redis, no API key) and serves it."""
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from digests.management.base import TranslatedCommand
from digests.management.commands.compile_translations import compile_all
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


class Command(TranslatedCommand):
    help = gettext_lazy("Create the database, import the sample posts, draft today's digests offline, create demo "
                        "logins, serve.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help=gettext_lazy("Where to serve (default 127.0.0.1:8000)"))
        parser.add_argument("--no-serve", action="store_true", help=gettext_lazy("Set everything up, then exit"))

    def handle(self, *args, addrport, no_serve, **options):
        # First, so that this step's own line is already Korean on a fresh checkout (no .mo yet).
        compile_all()
        self.step(_("1/5 Compiled the Korean translations; creating the database"))
        call_command("migrate", interactive=False, verbosity=0)

        self.step(_("2/5 Importing the sample posts"))
        call_command("import_jekyll", str(SAMPLE_DIR / "posts"), no_progress=True)

        self.step(_("3/5 Drafting today's digests from the sample feeds (offline, extractive writer)"))
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

        self.step(_("4/5 Creating demo logins"))
        User = get_user_model()
        for username, role, superuser in DEMO_USERS:
            user, _created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
        logins = ", ".join(name for name, _role, _superuser in DEMO_USERS)
        self.stdout.write("  " + _("Logins (%(logins)s) all use the password: %(password)s")
                          % {"logins": logins, "password": DEMO_PASSWORD})

        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.step(_("5/5 Serving: site http://%(host)s/  admin http://%(host)s/admin/  (Ctrl-C stops)")
                  % {"host": host})
        if no_serve:
            return
        if not settings.DEBUG:
            self.stderr.write(self.style.WARNING("  " + _("DJANGO_DEBUG is off: static files are served only after "
                                                          "collectstatic (manage.py collectstatic).")))
        call_command("runserver", addrport, use_reloader=False)

    def step(self, text):
        self.stdout.write(self.style.MIGRATE_HEADING(text))
