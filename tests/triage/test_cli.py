"""The command-line contract: classify / hotspots outputs, and bad input → exit 2, no output."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROWS = [
    {"id": "1", "title": "孩子上学难", "content": "小学学位不够，孩子入学难", "channel": "web"},
    {"id": "2", "title": "拖欠工资", "content": "公司拖欠农民工工资半年", "channel": "hotline"},
]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_classify_adds_columns_and_keeps_the_others(installed_model, tmp_csv, tmp_path):
    src = tmp_csv("in.csv", ["id", "title", "content", "channel"], ROWS)
    out = tmp_path / "out.csv"
    call_command("triage", "classify", "--input", str(src), "--output", str(out))
    rows = read(out)
    assert list(rows[0]) == [
        "id",
        "title",
        "content",
        "channel",
        "category",
        "category_confidence",
        "category_path",
    ]
    assert [r["channel"] for r in rows] == ["web", "hotline"]
    assert [r["category"] for r in rows] == ["教育文体", "劳动和社会保障"]
    assert all(0 <= float(r["category_confidence"]) <= 1 for r in rows)
    assert all(r["category_path"].startswith(r["category"]) for r in rows)


def test_hotspots_output(tmp_csv, tmp_path):
    rows = [
        {
            "id": "a",
            "title": "A市魅力之城小区油烟扰民",
            "content": "魅力之城小区底层餐馆油烟扰民",
            "time": "2019/8/1 10:00:00",
            "likes": "3",
        },
        {
            "id": "b",
            "title": "A市魅力之城小区油烟扰民严重",
            "content": "魅力之城小区餐馆油烟扰民",
            "time": "2019-08-02 10:00:00",
            "likes": "",
        },
        {"id": "c", "title": "出租车拒载", "content": "的士司机拒载", "time": "", "likes": "0"},
    ]
    src = tmp_csv("in.csv", ["id", "title", "content", "time", "likes"], rows)
    out = tmp_path / "hot.csv"
    call_command("triage", "hotspots", "--input", str(src), "--output", str(out))
    got = read(out)
    assert list(got[0]) == ["id", "cluster_id", "heat"]
    assert [r["id"] for r in got] == ["a", "b", "c"]
    assert got[0]["cluster_id"] == got[1]["cluster_id"] != "" and got[2]["cluster_id"] == ""


def test_hotspots_summary(tmp_csv, tmp_path):
    rows = [
        {"id": "1", "user": "u1", "title": "投诉A市伊景园滨河苑捆绑销售车位", "content": "",
         "time": "2019/8/1 10:00:00", "likes": "3"},
        {"id": "2", "user": "u2", "title": "坚决反对伊景园滨河苑强制捆绑销售车位", "content": "",
         "time": "2019/8/11 10:00:00", "likes": "1"},
        {"id": "3", "user": "u2", "title": "伊景园滨河苑捆绑车位销售合法吗", "content": "",
         "time": "2019/8/21 10:00:00", "likes": "0"},
    ]  # fmt: skip
    src = tmp_csv("in.csv", ["id", "user", "title", "content", "time", "likes"], rows)
    out, summary = tmp_path / "hot.csv", tmp_path / "sum.csv"
    call_command(
        "triage", "hotspots", "--input", str(src), "--output", str(out), "--summary", str(summary)
    )
    assert list(read(out)[0]) == ["id", "cluster_id", "heat"]
    [row] = read(summary)
    assert row["label"] == "伊景园滨河苑 · 捆绑销售车位"
    assert (row["place"], row["messages"], row["people"], row["likes"]) == (
        "伊景园滨河苑", "3", "2", "4"
    )  # fmt: skip
    assert (row["first_time"], row["last_time"]) == ("2019-08-01 10:00:00", "2019-08-21 10:00:00")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing_column", "content"),
        ("empty", "empty"),
        ("gb18030", "UTF-8"),
        ("header_only", "no data rows"),
    ],
)
def test_bad_input_exits_2_without_output(installed_model, tmp_csv, tmp_path, case, message):
    if case == "missing_column":
        src = tmp_csv("in.csv", ["id", "title"], [{"id": "1", "title": "停水"}])
    elif case == "empty":
        src = tmp_path / "in.csv"
        src.write_bytes(b"")
    elif case == "gb18030":
        src = tmp_csv(
            "in.csv",
            ["title", "content"],
            [{"title": "停水", "content": "小区停水三天"}],
            encoding="gb18030",
        )
    else:
        src = tmp_csv("in.csv", ["id", "title", "content", "time"], [])
    out = tmp_path / "out.csv"
    for action in ("classify", "hotspots"):
        with pytest.raises(CommandError) as e:
            call_command("triage", action, "--input", str(src), "--output", str(out))
        assert e.value.returncode == 2
        assert message in str(e.value)
        assert not out.exists()
        assert not list(tmp_path.glob(".out.csv.*"))


def test_real_process_exit_status_and_stderr(tmp_csv, tmp_path):
    src = tmp_csv("in.csv", ["title"], [{"title": "停水"}])
    out = tmp_path / "out.csv"
    done = subprocess.run(  # noqa: S603 — our own interpreter and arguments
        [
            sys.executable,
            "-c",
            "from minxin.cli import main; main()",
            "triage",
            "classify",
            "--input",
            str(src),
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 2
    assert "missing columns): content" in done.stderr
    assert not out.exists()


def test_bom_long_fields_and_existing_output_columns(installed_model, tmp_path):
    src = tmp_path / "in.csv"
    long_text = "小区停水" * 60000
    src.write_text(f"\ufefftitle , content,category\n停水,{long_text},old\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    call_command("triage", "classify", "--input", str(src), "--output", str(out))
    (row,) = read(out)
    assert list(row) == ["title", "content", "category", "category_confidence", "category_path"]
    assert row["category"] == "城乡建设"
