"""Texts imported with Excel's _x000D_ escapes (the demo's board export): the escapes turned back
into line breaks in appeals' titles and contents and in replies (issue 14). The event log is
append-only and keeps what was written."""

import re
from typing import Any

from django.db import migrations

ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescaped(text: str) -> str:
    text = ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean(model: Any, fields: tuple[str, ...]) -> None:
    for field in fields:
        rows = model.objects.filter(**{f"{field}__contains": "_x00"}).only("pk", field)
        changed = []
        for row in rows.iterator(chunk_size=500):
            text = getattr(row, field)
            fixed = unescaped(text)
            if fixed != text:
                # A title is one line; a text keeps its line breaks.
                setattr(row, field, " ".join(fixed.split()) if field == "title" else fixed.strip())
                changed.append(row)
        model.objects.bulk_update(changed, [field], batch_size=500)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    clean(apps.get_model("cases", "Appeal"), ("title", "content"))
    clean(apps.get_model("cases", "Reply"), ("content",))


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_appealsupport_to_board")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
