"""Key the read audit's chain and guard it with triggers on SQLite and PostgreSQL.

The events chained so far become the legacy prefix: they keep their plain SHA-256, and the
head, now signed with the current audit key, pins where the prefix ends and the event it
ends with, so that they cannot be re-chained after this point without the key. Migrating
therefore needs the audit key (made on first use in demo mode; in production set
OPENIPT_AUDIT_KEYS or the key file first). Then the triggers of openipt.audit.append_only
refuse UPDATE and DELETE of events and any move of the head but forward.
"""

from django.db import migrations, models


def sign_head(apps, schema_editor):
    from openipt.audit.keys import current
    from openipt.audit.models import head_text

    ChainHead = apps.get_model("audit", "ChainHead")
    head, _ = ChainHead.objects.using(schema_editor.connection.alias).get_or_create(pk=1)
    key = current()
    head.legacy_seq, head.key_id = head.last_seq, key.id
    head.mac = key.sign(head_text(head.last_seq, head.last_hash, head.legacy_seq, key.id))
    head.save()


def install_triggers(apps, schema_editor):
    from openipt.audit.append_only import install

    install(schema_editor)


def remove_triggers(apps, schema_editor):
    from openipt.audit.append_only import remove

    remove(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_pending_access'),
    ]

    operations = [
        migrations.AddField(
            model_name='accessevent',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AddField(
            model_name='chainhead',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AddField(
            model_name='chainhead',
            name='legacy_seq',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='chainhead',
            name='mac',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AlterField(
            model_name='accessevent',
            name='action',
            field=models.CharField(choices=[('view', 'Viewed a record'), ('list', 'Listed records'), ('export', 'Exported'), ('pdf', 'Made a PDF'), ('api', 'Read through the API'), ('cli', 'Read on the command line'), ('key', 'Changed the audit key')], max_length=8),
        ),
        migrations.AlterField(
            model_name='pendingaccess',
            name='action',
            field=models.CharField(choices=[('view', 'Viewed a record'), ('list', 'Listed records'), ('export', 'Exported'), ('pdf', 'Made a PDF'), ('api', 'Read through the API'), ('cli', 'Read on the command line'), ('key', 'Changed the audit key')], max_length=8),
        ),
        migrations.RunPython(sign_head, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
