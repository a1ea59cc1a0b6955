"""Spreadsheets for the import tests, made in memory."""

import csv
import io
from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = [
    "工单编号",
    "诉求标题",
    "诉求内容",
    "来电时间",
    "诉求人",
    "联系电话",
    "发生地点",
    "分类",
    "所属区域",
    "诉求类型",
]
GOOD = [
    [
        "SZ-0001",
        "小区垃圾无人清运",
        "景蓉华苑门口垃圾堆放三天无人清运。",
        "2024-05-01 09:30",
        "张三",
        "13812345678",
        "景蓉华苑",
        "城乡建设/城市建设和市政管理/环境卫生",
        "景蓉社区",
        "投诉",
    ],
    [
        "SZ-0002",
        "路灯不亮",
        "银杉路夜间路灯全部不亮，行人不便。",
        "2024/05/02 20:15:00",
        "李四",
        "0731-88886666",
        "银杉路",
        "环境卫生",
        "望月湖街道",
        "求助",
    ],
    [
        "SZ-0003",
        "咨询办证",
        "想咨询居住证办理需要什么材料。",
        "2024年5月3日",
        "",
        "",
        "",
        "",
        "",
        "咨询",
    ],
]


def rows_csv(
    rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER, encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def rows_xlsx(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
