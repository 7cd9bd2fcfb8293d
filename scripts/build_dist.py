"""Build the local Pyodide distribution that contains pyws.

    python scripts/build_dist.py [--runtime web/node_modules/pyodide] [--out build/pyodide]
    python scripts/build_dist.py --pyodide-version 0.29.5   # -> build/pyodide-0.29.5/

1. copies the npm Pyodide runtime (pinned in web/package.json) into ``--out``; with
   ``--pyodide-version V``, the runtime is npm's ``pyodide@V``, installed into
   ``build/npm/V/`` (web/package.json keeps its pin), and the outputs get a ``-V`` suffix;
2. builds the pyws wheel (a pure py3 wheel: ``pyodide build`` needs a download and fails
   offline) and downloads the pinned pure wheels of scripts/pyodide-wheels.txt;
3. writes ``pyodide-lock.json`` with ``pyodide lockfile add-wheels``, keeping only the
   packages whose files are really in ``--out``, so nothing is ever fetched from a CDN;
4. writes a PEP 503 simple index next to it (``build/simple/``) for ``micropip.install``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def build_wheels(wheels: Path) -> list[Path]:
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", wheels, ".")
    run(
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        # --platform any: the pure wheel even where a package also has binary ones for
        # this machine (yarl, multidict and propcache do); Pyodide cannot load those.
        "--only-binary", ":all:", "--platform", "any", "--dest", wheels,
        "-r", ROOT / "scripts" / "pyodide-wheels.txt",
    )  # fmt: skip
    return sorted(wheels.glob("*.whl"))


def write_lock(runtime: Path, out: Path, wheels: list[Path]) -> dict[str, dict[str, object]]:
    for wheel in wheels:
        shutil.copy2(wheel, out / wheel.name)
    lock = out / "pyodide-lock.json"
    run(
        sys.executable, "-m", "pyodide_cli", "lockfile", "add-wheels",
        "--input", runtime / "pyodide-lock.json", "--output", lock, "--base-path", out,
        *(out / w.name for w in wheels),
    )  # fmt: skip
    data = json.loads(lock.read_text())
    # The npm package lists ~350 packages whose files live only on the CDN. Keep what we
    # ship, so that loadPackage() of anything else fails here instead of going online.
    packages = {
        name: spec for name, spec in data["packages"].items() if (out / spec["file_name"]).is_file()
    }
    for name, spec in packages.items():
        missing = [dep for dep in spec["depends"] if dep not in packages]
        if missing:
            sys.exit(f"error: {name} depends on {missing}, which the distribution lacks")
    data["packages"] = packages
    lock.write_text(json.dumps(data, indent=1, sort_keys=True))
    return packages


def write_simple_index(out: Path, simple: Path, packages: dict[str, dict[str, object]]) -> None:
    """A PEP 503 index at /simple/<name>/ whose links point at /pyodide/<wheel>.

    The server serves ``--dist`` at /pyodide/ whatever its folder is called.
    """
    shutil.rmtree(simple, ignore_errors=True)
    names = []
    for name, spec in sorted(packages.items()):
        file_name = str(spec["file_name"])
        if not file_name.endswith(".whl"):
            continue
        names.append(name)
        digest = hashlib.sha256((out / file_name).read_bytes()).hexdigest()
        page = simple / name / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        href = f"../../pyodide/{file_name}#sha256={digest}"
        page.write_text(
            f'<!DOCTYPE html><html><body><a href="{html.escape(href)}">'
            f"{html.escape(file_name)}</a></body></html>\n"
        )
    links = "".join(f'<a href="{n}/">{n}</a>\n' for n in names)
    (simple / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")


def npm_runtime(version: str) -> Path:
    """npm's ``pyodide@version`` in ``build/npm/<version>/``, installed there if missing."""
    prefix = ROOT / "build" / "npm" / version
    runtime = prefix / "node_modules" / "pyodide"
    package = runtime / "package.json"
    if not package.is_file() or json.loads(package.read_text())["version"] != version:
        prefix.mkdir(parents=True, exist_ok=True)
        run(
            "npm", "install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund",
            "--no-package-lock", f"pyodide@{version}",
        )  # fmt: skip
    return runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pyodide-version",
        metavar="V",
        help="build for npm's pyodide@V (default: web/package.json's pin, from web/node_modules)",
    )
    parser.add_argument("--runtime", type=Path, help="default: web/node_modules/pyodide")
    parser.add_argument("--out", type=Path, help="default: build/pyodide[-V]")
    args = parser.parse_args()
    suffix = f"-{args.pyodide_version}" if args.pyodide_version else ""
    if args.runtime:
        runtime: Path = args.runtime.resolve()
    elif args.pyodide_version:
        runtime = npm_runtime(args.pyodide_version)
    else:
        runtime = ROOT / "web" / "node_modules" / "pyodide"
    out: Path = (args.out or ROOT / "build" / f"pyodide{suffix}").resolve()
    if not (runtime / "pyodide.mjs").is_file():
        sys.exit(f"error: no Pyodide runtime in {runtime}; run 'npm ci' in web/ first")

    shutil.rmtree(out, ignore_errors=True)
    # Pyodide's console pages load jQuery from a CDN: not shipped, nothing may go online.
    shutil.copytree(runtime, out, ignore=shutil.ignore_patterns("console*.html"))
    # The server serves /simple/ from the folder next to --dist named "simple": only the
    # default build has that; the others write theirs with the same suffix.
    packages = write_lock(runtime, out, build_wheels(out.parent / f"wheels{suffix}"))
    write_simple_index(out, out.parent / f"simple{suffix}", packages)
    version = json.loads((runtime / "package.json").read_text())["version"]
    print(f"built {out.relative_to(ROOT)}: Pyodide {version}, packages: {', '.join(packages)}")


if __name__ == "__main__":
    main()
