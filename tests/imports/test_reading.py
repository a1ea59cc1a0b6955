import io
from datetime import datetime

import pytest

from minxin.core.errors import ValidationFailed
from minxin.imports import reading

from .files import GOOD, HEADER, rows_csv, rows_xlsx


def test_csv_utf8_with_and_without_bom_and_gbk_are_detected():
    for encoding, expected in (("utf-8-sig", "utf-8"), ("utf-8", "utf-8"), ("gb18030", "gb18030")):
        text, found = reading.csv_decode(rows_csv(GOOD, encoding=encoding))
        assert found == expected
        table = reading.csv_table(text)
        assert table.headers == HEADER
        rows = list(table.rows())
        assert [n for n, _ in rows] == [2, 3, 4]
        assert rows[0][1][1] == "小区垃圾无人清运"


def test_a_wrong_encoding_choice_is_refused_not_stored_as_mojibake():
    with pytest.raises(ValidationFailed, match="UTF-8 编码，按 GBK 读取会变成乱码"):
        reading.csv_decode(rows_csv(GOOD, encoding="utf-8"), choice="gb18030")
    with pytest.raises(ValidationFailed, match="不是 UTF-8 编码（第1行附近"):
        reading.csv_decode(rows_csv(GOOD, encoding="gb18030"), choice="utf-8")


def test_an_unknown_encoding_is_refused_with_a_clear_message():
    # Bytes that are neither UTF-8 nor GB18030.
    data = "标题,内容\n".encode() + b"\x81\x30\xff\xfe\x80\x80,x\n"
    with pytest.raises(ValidationFailed, match="无法识别文件编码"):
        reading.csv_decode(data)
    with pytest.raises(ValidationFailed, match="UTF-16"):
        reading.csv_decode("标题,内容\n".encode("utf-16"))


def test_empty_file_and_header_only():
    with pytest.raises(ValidationFailed, match="文件是空的"):
        reading.csv_decode(b"  \n")
    table = reading.csv_table("标题,内容\n")
    assert table.headers == ["标题", "内容"] and list(table.rows()) == []


def test_format_is_sniffed_from_the_content():
    with pytest.raises(ValidationFailed, match="不是有效的 Excel"):
        reading.format_sniff(name="a.xlsx", head=b"hello wo")
    with pytest.raises(ValidationFailed, match=r"\.xls"):
        reading.format_sniff(name="a.xls", head=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(ValidationFailed, match="只支持"):
        reading.format_sniff(name="a.pdf", head=b"%PDF-1.4")
    with pytest.raises(ValidationFailed, match=r"扩展名是 \.csv"):
        reading.format_sniff(name="a.csv", head=b"PK\x03\x04abcd")
    assert reading.format_sniff(name="A.XLSX", head=b"PK\x03\x04abcd") == "xlsx"


def test_xlsx_cells_read_like_csv_cells():
    data = rows_xlsx(
        [
            [
                "SZ-9",
                "标题",
                "内容\r\n第二行 ",
                datetime(2024, 5, 1, 9, 30),
                "王五",
                13812345678,
                "",
                "",
                "",
                "",
            ]
        ]
    )
    table = reading.xlsx_table(io.BytesIO(data))
    assert table.headers == HEADER
    [(number, cells)] = list(table.rows())
    assert number == 2
    assert cells[2] == "内容\n第二行"  # control characters gone, newlines normalised
    assert cells[3] == "2024-05-01 09:30:00"
    assert cells[5] == "13812345678"  # not "13812345678.0"


def test_broken_xlsx_is_a_clear_message():
    good = rows_xlsx(GOOD)
    for broken in (good[: len(good) // 2], b"PK\x03\x04" + b"\x00" * 100):
        with pytest.raises(ValidationFailed, match="无法读取该 Excel 文件"):
            reading.xlsx_table(io.BytesIO(broken))


def test_csv_with_an_oversized_cell_names_the_row():
    table = reading.csv_table('标题,内容\n路灯,不亮\n"' + "x" * 200_000 + '",b\n')
    with pytest.raises(ValidationFailed, match="第3行附近的 CSV 格式有误"):
        list(table.rows())


def test_tab_separated_is_read():
    table = reading.csv_table("标题\t内容\n路灯坏了\t银杉路路灯不亮\n")
    assert table.headers == ["标题", "内容"]
    assert list(table.rows()) == [(2, ["路灯坏了", "银杉路路灯不亮"])]


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    table = reading.csv_table("标题,内容\n" + "a,b\n" * 3 + "\n" * 5)
    with pytest.raises(ValidationFailed, match="文件超过3行"):
        list(table.rows())


def test_an_xlsx_that_unpacks_too_big_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED", 1000)
    with pytest.raises(ValidationFailed, match="解压后超过"):
        reading.xlsx_table(io.BytesIO(rows_xlsx(GOOD)))


def test_a_bad_byte_deep_in_a_large_file_is_found_with_its_line():
    body = (
        "标题,内容\n" + "路灯不亮,银杉路路灯全部不亮，行人不便。\n" * 60_000
    )  # ~3.5 MB: several chunks
    data = body.encode() + b"\xff\xfe,x\n"
    with pytest.raises(ValidationFailed, match="第60002行附近"):
        reading.csv_decode(data, choice="utf-8")
    handle = io.BytesIO(body.encode("gb18030"))
    assert reading.csv_encoding(handle) == "gb18030" and handle.tell() == 0
    table = reading.table_open(handle=handle, file_format="csv", encoding="gb18030")
    assert sum(1 for _ in table.rows()) == 60_000
