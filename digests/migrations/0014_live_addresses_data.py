"""Live digests get the address they are published at; whoever sees the export history sees the blog posts."""
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def live_addresses(apps, schema_editor):
    Digest = apps.get_model("digests", "Digest")
    Series = apps.get_model("digests", "Series")
    live = Digest.objects.filter(live_snapshot__isnull=False)
    live.update(live_series=F("series"), live_date=F("date"), live_slug=F("slug"), live_category=F("category"))
    live.filter(live_category="").update(
        live_category=Subquery(Series.objects.filter(pk=OuterRef("series_id")).values("jekyll_category")[:1]))


def grant_view(apps, schema_editor):
    """Whoever sees the export history sees what is pending (the roles of 0003)."""
    app_config = apps.get_app_config("digests")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="digests", codename="view_blogpost")
    for group in Group.objects.filter(permissions__codename="view_exportrecord",
                                      permissions__content_type__app_label="digests"):
        group.permissions.add(view)


class Migration(migrations.Migration):
    dependencies = [("digests", "0013_live_address_and_blog_posts"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [
        migrations.RunPython(live_addresses, migrations.RunPython.noop),
        migrations.RunPython(grant_view, migrations.RunPython.noop),
    ]
