"""What every benchmark script run as `python bench/<name>.py` imports first: the repository put on
the path, so that `bench.*`, `config` and `minxin.*` import, and Django's settings named: the
development settings (DATABASE_URL chooses the database) with DEBUG off unless the caller set
it, so that no query is kept in memory and pages are timed as they are served."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "0")
