"""A live digest keeps the address it was published at (live_series/date/slug/category); BlogPost rows
say what the blog's working copy must hold. (The data follows in 0014: PostgreSQL refuses schema
changes in the transaction that queued the rows' foreign-key checks.)"""
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('digests', '0012_site_version_and_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='BlogPost',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(blank=True, help_text="Empty: the blog must not hold this digest's post", max_length=500, verbose_name='expected file')),
                ('content_hash', models.CharField(blank=True, max_length=64, verbose_name='expected SHA-256')),
                ('held_paths', models.JSONField(blank=True, default=list, verbose_name='files it may hold')),
                ('revision', models.PositiveIntegerField(default=1, verbose_name='revision')),
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
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='live category'),
        ),
        migrations.AddField(
            model_name='digest',
            name='live_date',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='live date'),
        ),
        migrations.AddField(
            model_name='digest',
            name='live_slug',
            field=models.SlugField(blank=True, editable=False, max_length=100, verbose_name='live slug'),
        ),
        migrations.AddIndex(
            model_name='digest',
            index=models.Index(fields=['-live_date'], name='digest_live_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='digest',
            constraint=models.UniqueConstraint(condition=models.Q(('live_date__isnull', False)), fields=('live_date', 'live_slug'), name='unique_live_post_file'),
        ),
        # The foreign keys last: PostgreSQL refuses more DDL on a table once its rows' FK checks are queued.
        migrations.AddField(
            model_name='digest',
            name='live_series',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='digests.series', verbose_name='live series'),
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
    ]
