"""The citizens' SMS templates, with texts an administrator may then edit (短信模板)."""

from django.db import migrations

TEMPLATES = {
    "appeal_received": (
        "【民心】您反映的诉求已受理，受理编号${tracking_number}，查询码${query_code}。"
        "可凭编号和查询码查询办理进度、补充情况和评价答复，请妥善保管查询码。"
    ),
    "appeal_replied": (
        "【民心】您的诉求（受理编号${tracking_number}）已由${unit}办结答复，"
        "请凭编号和查询码查看答复内容，并对办理结果进行评价。"
    ),
    "appeal_reopened": (
        "【民心】您对诉求（受理编号${tracking_number}）的答复不满意，已安排${unit}重新办理，"
        "办理结果将再次答复您。"
    ),
    "appeal_closed": (
        "【民心】您的诉求（受理编号${tracking_number}）已办结归档。感谢您的反映和监督。"
    ),
}


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("notify", "SmsTemplate")
    for key, text in TEMPLATES.items():
        SmsTemplate.objects.get_or_create(key=key, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_citizen_sms")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
