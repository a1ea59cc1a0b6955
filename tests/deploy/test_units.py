"""The systemd units of deploy/systemd parse and name what exists: `systemd-analyze verify` on
each, with /opt/minxin (the code) and /etc/minxin/minxin.env pointed at this checkout (CI has
no systemd running to start them; test_stack.py runs what they start)."""

import shutil
from pathlib import Path

import pytest

from . import pg

UNITS = pg.ROOT / "deploy" / "systemd"


def test_every_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is needed: apt-get install systemd")
    names = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text()
        text = text.replace("/opt/minxin", str(pg.ROOT))
        text = text.replace("/etc/minxin/minxin.env", str(pg.ROOT / "deploy/minxin.env.example"))
        text = text.replace("User=minxin", "User=root").replace("Group=minxin", "Group=root")
        # A template is verified as one of its instances.
        name = unit.name.replace("@.", "@1.")
        (tmp_path / name).write_text(text)
        names.append(str(tmp_path / name))
    assert len(names) == 6
    done = pg.run([analyze, "verify", *names], {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
