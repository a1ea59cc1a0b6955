"""The appeals' full-text search index (minxin/core/search.py): FTS5 on SQLite, character
bigrams under GIN on PostgreSQL, both kept by triggers."""

from django.db import migrations

from minxin.core.search import SearchIndex


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_supplement")]

    operations = [SearchIndex("appeal", fields=["title", "content"])]
