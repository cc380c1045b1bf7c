"""Create the editorial roles as groups: Editor, Reviewer (+ review), Publisher (+ publish)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "view_series", "view_source", "view_feedentry", "view_generationrun", "view_exportrecord", "view_reviewevent",
    "view_digest", "change_digest", "add_newsitem", "view_newsitem", "change_newsitem", "delete_newsitem",
    "add_insight", "view_insight", "change_insight", "delete_insight", "submit_digest",
]
REVIEWER = EDITOR + ["review_digest"]
PUBLISHER = REVIEWER + ["publish_digest", "add_digest"]
ROLES = {"Editor": EDITOR, "Reviewer": REVIEWER, "Publisher": PUBLISHER}


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = list(Permission.objects.filter(content_type__app_label="digests", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise RuntimeError(f"Permissions missing for role {name}: {sorted(missing)}")
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0002_blog_series"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
