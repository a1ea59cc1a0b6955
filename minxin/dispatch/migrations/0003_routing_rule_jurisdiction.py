import django.db.models.deletion
from django.db import migrations, models

CITY_NAME = "全市"


def rules_placed(apps, schema_editor):
    """The rules so far are districts' rules, not the city's: with one district (a district's
    own install) every rule is its, so its admins keep editing all of them as before (as the
    city's, they would only read them); with several, a rule for a place is the place's
    district's, a rule for a whole district its unit's district's, and only a rule whose unit
    is the city's stays the city's (it applied everywhere, and still does). With no district
    nothing is scoped, and the rules stay as they are."""
    RoutingRule = apps.get_model("dispatch", "RoutingRule")
    RoutingRuleHistory = apps.get_model("dispatch", "RoutingRuleHistory")
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    districts = list(Jurisdiction.objects.select_related("region").order_by("pk"))
    if not districts:
        return
    if len(districts) == 1:
        RoutingRule.objects.update(jurisdiction=districts[0])
    else:
        by_root = {j.region.code: j.pk for j in districts if j.region is not None}
        for rule in RoutingRule.objects.select_related("region", "unit"):
            if rule.region is not None:
                district = by_root.get(rule.region.path.strip("/").split("/")[0])
            else:
                district = rule.unit.jurisdiction_id
            if district is not None:
                RoutingRule.objects.filter(pk=rule.pk).update(jurisdiction_id=district)
    names = {j.pk: j.name for j in districts}
    for rule_id, district in RoutingRule.objects.values_list("pk", "jurisdiction_id"):
        RoutingRuleHistory.objects.filter(rule_id=rule_id).update(
            jurisdiction_name=names.get(district, CITY_NAME)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_jurisdiction"),
        ("dispatch", "0002_saved_filters"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="routingrule",
            name="routing_rule_unique_district",
        ),
        migrations.AddField(
            model_name="routingrule",
            name="jurisdiction",
            field=models.ForeignKey(
                blank=True,
                help_text="留空表示市级规则，适用于所有辖区",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.jurisdiction",
                verbose_name="辖区",
            ),
        ),
        migrations.AddField(
            model_name="routingrulehistory",
            name="jurisdiction_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="辖区"),
        ),
        migrations.AlterField(
            model_name="routingrule",
            name="region",
            field=models.ForeignKey(
                blank=True,
                help_text="留空表示规则所属辖区的全部区域（市级规则：所有辖区）",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.region",
                verbose_name="区域",
            ),
        ),
        migrations.RunPython(rules_placed, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="routingrule",
            constraint=models.UniqueConstraint(
                condition=models.Q(("jurisdiction__isnull", False), ("region__isnull", True)),
                fields=("category", "jurisdiction"),
                name="routing_rule_unique_district",
                violation_error_message="本辖区已有该分类的全辖区规则，请修改原规则",
            ),
        ),
        migrations.AddConstraint(
            model_name="routingrule",
            constraint=models.UniqueConstraint(
                condition=models.Q(("jurisdiction__isnull", True), ("region__isnull", True)),
                fields=("category",),
                name="routing_rule_unique_city",
                violation_error_message="已有该分类的市级规则，请修改原规则",
            ),
        ),
    ]
