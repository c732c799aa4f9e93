"""Index auth_user.email: staff are looked up by e-mail on every roster row and SSO sign-in, and Django's
default user table leaves that column unindexed (a full scan per row made large imports quadratic)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS relais_auth_user_email ON auth_user (email)",
            "DROP INDEX IF EXISTS relais_auth_user_email",
        )
    ]
