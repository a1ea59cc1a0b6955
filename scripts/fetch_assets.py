"""Install the front-end assets from the npm registry into minxin/static/vendor/.

Pinned by version and sha512 integrity (as in a package-lock.json), served locally afterwards:
target sites sit on intranets with no internet, so pages never load anything from outside.
Already-present files with the right checksum are left alone, so this is cheap to re-run.
"""

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "minxin" / "static" / "vendor"
LOCK = ROOT / "scripts" / "assets.lock.json"
REGISTRY = "https://registry.npmjs.org"


def _fetch(package: str, version: str, integrity: str) -> bytes:
    name = package.split("/")[-1]
    url = f"{REGISTRY}/{package}/-/{name}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https URL)
        data: bytes = response.read()
    algo, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if actual != expected:
        sys.exit(f"integrity mismatch for {package}@{version}: refusing to install it")
    return data


def main() -> None:
    lock = json.loads(LOCK.read_text())
    for package, spec in lock.items():
        stamp = VENDOR / f".{package.replace('/', '_')}-{spec['version']}"
        if stamp.exists() and all((VENDOR / t).exists() for t in spec["files"].values()):
            continue
        data = _fetch(package, spec["version"], spec["integrity"])
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for source, target in spec["files"].items():
                member = tar.extractfile(f"package/{source}")
                if member is None:
                    sys.exit(f"{package}@{spec['version']} has no {source}")
                out = VENDOR / target
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(member.read())
        stamp.touch()
        print(f"assets: {package}@{spec['version']} installed")


if __name__ == "__main__":
    main()
