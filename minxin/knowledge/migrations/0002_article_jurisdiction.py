import django.db.models.deletion
from django.db import migrations, models


def articles_placed(apps, schema_editor):
    """The articles so far are districts' articles, not the city's: with one district (a
    district's own install) every article is its, so its staff keep revising all of them as
    before (as the city's, they would only read them); with several, each is its owner
    unit's district's, and only a city unit's stays the city's (shown everywhere, as it was).
    With no district nothing is scoped, and the articles stay as they are."""
    Article = apps.get_model("knowledge", "Article")
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    districts = list(Jurisdiction.objects.order_by("pk").values_list("pk", flat=True))
    if len(districts) == 1:
        Article.objects.update(jurisdiction_id=districts[0])
    elif districts:
        for district in districts:
            Article.objects.filter(owner_unit__jurisdiction_id=district).update(
                jurisdiction_id=district
            )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_jurisdiction"),
        ("knowledge", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="jurisdiction",
            field=models.ForeignKey(
                blank=True,
                help_text="留空表示全市通用，各辖区均可见",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.jurisdiction",
                verbose_name="辖区",
            ),
        ),
        migrations.RunPython(articles_placed, migrations.RunPython.noop),
    ]
