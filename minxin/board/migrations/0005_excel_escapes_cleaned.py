"""Board posts' public copies made from texts with Excel's _x000D_ escapes (the demo's board
export): the escapes turned back into line breaks (issue 14)."""

import re

from django.db import migrations

ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescaped(text: str) -> str:
    text = ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    post = apps.get_model("board", "BoardPost")
    for field in ("public_title", "public_content"):
        changed = []
        for row in post.objects.filter(**{f"{field}__contains": "_x00"}).only("pk", field):
            fixed = unescaped(getattr(row, field))
            # A title is one line; a text keeps its line breaks.
            setattr(
                row, field, " ".join(fixed.split()) if field == "public_title" else fixed.strip()
            )
            changed.append(row)
        post.objects.bulk_update(changed, [field], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("board", "0004_appealsupport")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
