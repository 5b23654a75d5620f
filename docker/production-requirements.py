"""Print the production subset of requirements.lock (hashes kept), for the Docker image.

The lock is resolved with every extra, the ``dev`` tools included. The image needs the
core dependencies and the ``media``, ``privacy`` and ``themes`` extras, and whatever
those pull in. A locked package belongs in the image when pyproject.toml names it in one
of those, or when a package already in the image needs it (the lock's ``# via`` lines).
The local index lines of the lock's header are dropped: the image builds from PyPI (and
the PyTorch CPU index, see the Dockerfile).

Usage: python docker/production-requirements.py requirements.lock pyproject.toml > out.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

EXTRAS = ("media", "privacy", "themes")
NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(lock_path: str, pyproject_path: str) -> None:
    project = tomllib.loads(Path(pyproject_path).read_text())["project"]
    wanted = [*project["dependencies"]]
    for extra in EXTRAS:
        wanted += project["optional-dependencies"][extra]
    roots = {canonical(NAME.match(spec).group(1)) for spec in wanted if NAME.match(spec)}  # type: ignore[union-attr]

    blocks: dict[str, list[str]] = {}
    needed_by: dict[str, set[str]] = {}
    current = ""
    for line in Path(lock_path).read_text().splitlines():
        if not line or line.startswith("--") or (line.startswith("#") and not current):
            continue
        if not line[0].isspace() and not line.startswith("#"):
            current = canonical(line.split("==")[0])
            blocks[current] = [line]
            needed_by[current] = set()
            continue
        blocks[current].append(line)
        via = line.strip().lstrip("#").strip()
        via = via.removeprefix("via").strip()
        if via and not via.startswith("-") and not line.strip().startswith("--hash"):
            needed_by[current].add(canonical(via.split()[0]))

    keep = set(roots) & set(blocks)
    changed = True
    while changed:
        changed = False
        for name, parents in needed_by.items():
            if name not in keep and parents & keep:
                keep.add(name)
                changed = True
    for name in sorted(keep):
        print("\n".join(blocks[name]))


if __name__ == "__main__":
    main(*sys.argv[1:3])
