"""What a web process imports at start (issue 17): not the libraries that only some requests
need, which the functions using them import (each is megabytes in every process)."""

import os
import subprocess
import sys

# scipy and sklearn: training; shapely: a boundary import; openpyxl, reportlab: the Excel and
# PDF downloads; segno: enrolling a second factor; PIL: a photo; jieba: cutting words without
# the word table.
ON_USE = ("scipy", "sklearn", "shapely", "openpyxl", "reportlab", "segno", "PIL", "jieba")


def test_a_web_process_starts_without_the_libraries_of_a_few_requests():
    code = (
        "import sys\n"
        "from config.wsgi import application\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"  # every view module, as the first request does
        f"print(' '.join(m for m in {ON_USE!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == []
