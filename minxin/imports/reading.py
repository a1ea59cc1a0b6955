"""Reading another platform's export: .xlsx or .csv (UTF-8 with or without BOM, GB18030/GBK).

Everything a file can do wrong becomes a ValidationFailed with a Chinese message; cells come
out as clean strings (dates as "YYYY-MM-DD HH:MM:SS", whole numbers without ".0", control
characters removed), so a CSV and an .xlsx of the same data read the same.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any, Final

from minxin.core.errors import ValidationFailed
from minxin.core.text import control_free

MAX_ROWS: Final = 200_000
MAX_COLUMNS: Final = 100
PREVIEW_ROWS: Final = 5

ENCODING_AUTO: Final = "auto"
ENCODING_CHOICES: Final = (
    (ENCODING_AUTO, "自动识别"),
    ("utf-8", "UTF-8"),
    ("gb18030", "GBK / GB18030"),
)

# Control characters other than tab and newline: PostgreSQL refuses NUL, and none of them
# belongs in an appeal.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


def text_clean(value: str) -> str:
    return control_free(value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def cell_text(value: Any) -> str:
    """One spreadsheet cell as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # A phone number typed into Excel is a float: 13812345678.0 → "13812345678".
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    return text_clean(str(value))


def format_sniff(*, name: str, head: bytes) -> str:
    """Decide by the content, not only the name: a renamed file is caught here."""
    lower = name.lower()
    if head.startswith(_OLE_MAGIC) or lower.endswith(".xls"):
        raise ValidationFailed("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传")
    if lower.endswith(".xlsx"):
        if not head.startswith(_ZIP_MAGIC):
            raise ValidationFailed("文件不是有效的 Excel（.xlsx）文件，可能已损坏或只是改了扩展名")
        return "xlsx"
    if lower.endswith((".csv", ".txt")):
        if head.startswith(_ZIP_MAGIC):
            raise ValidationFailed("文件内容是 Excel 格式，但扩展名是 .csv：请改为 .xlsx 后上传")
        return "csv"
    raise ValidationFailed("只支持 Excel（.xlsx）或 CSV（.csv）文件")


_CHUNK: Final = 1024 * 1024


@dataclass(frozen=True)
class _Scan:
    bad_line: int | None  # the line where decoding failed, None when the whole file decodes
    ascii_only: bool


def _scan(handle: IO[bytes], encoding: str) -> _Scan:
    """Decode the whole file strictly, a chunk at a time (memory stays flat for 100 MB)."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 0
    ascii_only = True
    try:
        while chunk := handle.read(_CHUNK):
            ascii_only = ascii_only and chunk.isascii()
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return _Scan(lines + chunk.count(b"\n", 0, max(error.start, 0)) + 1, ascii_only)
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _Scan(lines + 1, ascii_only)
        return _Scan(None, ascii_only)
    finally:
        handle.seek(0)


def csv_encoding(handle: IO[bytes], *, choice: str = ENCODING_AUTO) -> str:
    """The encoding to read the CSV with. A wrong choice is refused with a message instead of
    producing mojibake: strict decoding, and UTF-8 bytes are never read as GBK (they usually
    decode without error, into nonsense)."""
    head = handle.read(4096)
    handle.seek(0)
    if not head.strip() and not handle.read(_CHUNK).strip():
        handle.seek(0)
        raise ValidationFailed("文件是空的，没有可导入的内容")
    handle.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise ValidationFailed("不支持 UTF-16 编码的文件，请另存为“CSV UTF-8（逗号分隔）”后再上传")
    if choice not in (ENCODING_AUTO, "utf-8", "gb18030"):
        raise ValidationFailed("请选择文件编码")
    utf8 = _scan(handle, "utf-8")
    if choice == "utf-8":
        if utf8.bad_line is not None:
            raise ValidationFailed(
                f"文件不是 UTF-8 编码（第{utf8.bad_line}行附近无法读取），"
                "请选择“GBK / GB18030”或“自动识别”"
            )
        return "utf-8"
    if choice == "gb18030" and utf8.bad_line is None and not utf8.ascii_only:
        raise ValidationFailed(
            "文件是 UTF-8 编码，按 GBK 读取会变成乱码：请选择“UTF-8”或“自动识别”"
        )
    if choice == ENCODING_AUTO and utf8.bad_line is None:
        return "utf-8"
    gbk = _scan(handle, "gb18030")
    if gbk.bad_line is None:
        return "gb18030"
    if choice == ENCODING_AUTO:
        raise ValidationFailed(
            f"无法识别文件编码（第{gbk.bad_line}行附近既不是 UTF-8 也不是 GBK），"
            "请在 Excel 或 WPS 中另存为“CSV UTF-8”后再上传"
        )
    raise ValidationFailed(
        f"文件不是 GBK/GB18030 编码（第{gbk.bad_line}行附近无法读取），请选择“UTF-8”或“自动识别”"
    )


def csv_decode(data: bytes, *, choice: str = ENCODING_AUTO) -> tuple[str, str]:
    """`csv_encoding` for bytes in memory: the text and its encoding."""
    encoding = csv_encoding(io.BytesIO(data), choice=choice)
    return data.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class Table:
    """The header and the data rows of one sheet; `rows()` yields (row number, cells) with the
    row number a person sees in Excel (the header is row 1) and skips blank rows."""

    def __init__(self, headers: list[str], rows: Iterator[tuple[int, list[str]]]) -> None:
        self.headers = headers
        self._rows = rows

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return self._rows


def _too_many(number: int) -> None:
    # Counted on every row, blank ones too: a sheet of a million empty rows stops here as well.
    if number > MAX_ROWS + 1:
        raise ValidationFailed(f"文件超过{MAX_ROWS}行，请拆分后分批导入")


def _headers(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    if not any(cells):
        raise ValidationFailed("第1行应为表头（列名），但它是空的")
    if len(cells) > MAX_COLUMNS:
        raise ValidationFailed(f"表头超过{MAX_COLUMNS}列，请删除不需要的列后再上传")
    return [c.replace("\n", " ") or f"第{i + 1}列" for i, c in enumerate(cells)]


def csv_table(text: str | IO[str]) -> Table:
    """Rows of a CSV, from text or streamed from a text file."""
    stream = io.StringIO(text, newline="") if isinstance(text, str) else text
    first_line = stream.readline()
    stream.seek(0)
    if first_line.startswith("\ufeff"):
        stream.read(1)
    reader = csv.reader(stream, delimiter=_delimiter(first_line))

    def numbered() -> Iterator[tuple[int, list[str]]]:
        # Numbered by record, as Excel shows the file (a quoted cell may span lines).
        number = 0
        try:
            for cells in reader:
                number += 1
                _too_many(number)
                cleaned = [text_clean(c) for c in cells[:MAX_COLUMNS]]
                if any(cleaned):
                    yield number, cleaned
        except csv.Error as error:
            raise ValidationFailed(
                f"第{number + 1}行附近的 CSV 格式有误（例如引号不成对或单元格过长）"
            ) from error

    rows = numbered()
    first = next(rows, None)
    if first is None:
        raise ValidationFailed("文件是空的，没有可导入的内容")
    return Table(_headers(first[1]), rows)


MAX_UNPACKED: Final = 1024 * 1024 * 1024


def xlsx_guard(handle: IO[bytes]) -> None:
    """An .xlsx is a zip: refuse one that would unpack to more than 1 GiB (a "zip bomb")
    before openpyxl reads its shared strings into memory."""
    try:
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationFailed(
            "无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式，请在 Excel 中重新另存后上传"
        ) from error
    finally:
        handle.seek(0)
    if unpacked > MAX_UNPACKED:
        raise ValidationFailed("Excel 文件解压后超过 1 GB，请拆分后分批导入")


def xlsx_table(handle: IO[bytes]) -> Table:
    """The first sheet, streamed (read-only mode: memory stays flat for 100,000 rows)."""
    from openpyxl import load_workbook

    xlsx_guard(handle)
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        raw = sheet.iter_rows(values_only=True)
        header_row = next(raw, None)
    except ValidationFailed:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError) as error:
        raise ValidationFailed(
            "无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式，请在 Excel 中重新另存后上传"
        ) from error
    except Exception as error:  # openpyxl/lxml raise many kinds for a malformed workbook
        raise ValidationFailed("无法读取该 Excel 文件：文件内容不完整或格式有误") from error
    if header_row is None:
        raise ValidationFailed("Excel 文件的第一个工作表是空的，没有可导入的内容")
    headers = _headers([cell_text(v) for v in header_row])

    def numbered() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for values in raw:
                number += 1
                _too_many(number)
                cells = [cell_text(v) for v in values[:MAX_COLUMNS]]
                if any(cells):
                    yield number, cells
        except ValidationFailed:
            raise
        except Exception as error:  # a sheet broken half-way through
            raise ValidationFailed(
                f"Excel 文件第{number}行附近内容有误，无法继续读取，请在 Excel 中重新另存后上传"
            ) from error
        finally:
            book.close()

    return Table(headers, numbered())


def table_open(*, handle: IO[bytes], file_format: str, encoding: str) -> Table:
    if file_format == "xlsx":
        return xlsx_table(handle)
    if not encoding or encoding == ENCODING_AUTO:
        encoding = csv_encoding(handle)
    # Strict: the upload checked the whole file, so this cannot fail on a stored file.
    text = _Borrowed(handle, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")
    return csv_table(text)


class _Borrowed(io.TextIOWrapper):
    """A text view of a binary file it does not own: dropping it leaves the file open (an
    upload is read for its preview, then stored)."""

    def close(self) -> None:
        with contextlib.suppress(ValueError):  # already detached
            self.detach()
