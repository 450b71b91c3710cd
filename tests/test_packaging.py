"""The wheel carries every file the package needs (docs/deploy.md installs from wheels): each file
under sunshine/ besides the code matches a package-data pattern of pyproject.toml. Without them
setuptools ships the code alone, and the installed site has no templates, styles or data."""

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_file_of_the_package_goes_into_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    shipped, needed = set(), set()
    for package in (ROOT / "sunshine").rglob("__init__.py"):
        base = package.parent
        for pattern in patterns:
            for name in glob.glob(pattern, root_dir=base, recursive=True):
                shipped.add(base / name)
    for path in (ROOT / "sunshine").rglob("*"):
        code = path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts
        if path.is_file() and not code:
            needed.add(path)
    missing = sorted(str(p.relative_to(ROOT)) for p in needed - shipped)
    assert not missing, missing
