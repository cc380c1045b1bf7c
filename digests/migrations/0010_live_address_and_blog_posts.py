"""A live digest keeps the address it was published at (live_series/date/slug/category); BlogPost rows
say what the blog's working copy must hold. Live digests get their current address."""
import django.db.models.deletion
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
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

    dependencies = [
        ('digests', '0009_remove_newsitem_source_url'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='BlogPost',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(blank=True, help_text="Empty: the blog must not hold this digest's post", max_length=500, verbose_name='expected file')),
                ('content_hash', models.CharField(blank=True, max_length=64, verbose_name='expected SHA-256')),
                ('held_paths', models.JSONField(blank=True, default=list, verbose_name='files it may hold')),
                ('revision', models.PositiveIntegerField(default=1)),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('committed', 'Committed, not pushed yet'), ('synced', 'On the blog'), ('skipped', 'Not exported: JEKYLL_SITE_DIR is not set')], default='pending', max_length=20, verbose_name='state')),
                ('commit', models.CharField(blank=True, max_length=64, verbose_name='last commit')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='failed attempts')),
                ('error', models.TextField(blank=True, verbose_name='last error')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='asked for')),
                ('retry_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt')),
                ('synced_at', models.DateTimeField(blank=True, null=True, verbose_name='on the blog since')),
            ],
            options={
                'verbose_name': 'blog post',
                'verbose_name_plural': 'blog posts',
                'ordering': ['-changed_at'],
            },
        ),
        migrations.AddField(
            model_name='digest',
            name='live_category',
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name='digest',
            name='live_date',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='digest',
            name='live_series',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='digests.series'),
        ),
        migrations.AddField(
            model_name='digest',
            name='live_slug',
            field=models.SlugField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddIndex(
            model_name='digest',
            index=models.Index(fields=['-live_date'], name='digest_live_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='digest',
            constraint=models.UniqueConstraint(condition=models.Q(('live_date__isnull', False)), fields=('live_date', 'live_slug'), name='unique_live_post_file'),
        ),
        migrations.AddField(
            model_name='blogpost',
            name='digest',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='blog_post', to='digests.digest', verbose_name='digest'),
        ),
        migrations.AddIndex(
            model_name='blogpost',
            index=models.Index(fields=['state', 'retry_at'], name='blogpost_due_idx'),
        ),
        # Last: PostgreSQL would refuse the schema changes above once the rows' triggers are queued.
        migrations.RunPython(live_addresses, migrations.RunPython.noop),
        migrations.RunPython(grant_view, migrations.RunPython.noop),
    ]
