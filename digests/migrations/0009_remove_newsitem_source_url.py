"""NewsItem.source_url/source_name are now ItemSource rows (0008 copied them)."""
from django.db import migrations


class Migration(migrations.Migration):
    # Apart from 0008: PostgreSQL refuses to alter a table in the transaction that queued its data's triggers.
    dependencies = [("digests", "0008_item_sources")]

    operations = [
        migrations.RemoveField(model_name="newsitem", name="source_url"),
        migrations.RemoveField(model_name="newsitem", name="source_name"),
    ]
