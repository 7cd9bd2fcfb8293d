"""Build the local Pyodide distribution that contains pyws.

    python scripts/build_dist.py [--runtime web/node_modules/pyodide] [--out build/pyodide]
    python scripts/build_dist.py --pyodide-version 0.29.5   # -> build/pyodide-0.29.5/

1. copies the npm Pyodide runtime (pinned in web/package.json) into ``--out``; with
   ``--pyodide-version V``, the runtime is npm's ``pyodide@V``, installed into
   ``build/npm/V/`` (web/package.json keeps its pin), and the outputs get a ``-V`` suffix;
2. builds pyws's sdist, and its pure ``py3-none-any`` wheel from that sdist (``python -m
   build``: the wheel every install path uses; both land in ``build/dist[-V]/``),
   precompiles that wheel for the runtime's Python (``precompile``: a ``py3XY-none-any``
   wheel with ``.pyc`` beside the ``.py``), and downloads the pinned pure wheels of
   scripts/pyodide-wheels.txt;
3. writes ``pyodide-lock.json`` with ``pyodide lockfile add-wheels``, keeping only the
   packages whose files are really in ``--out``, so nothing is ever fetched from a CDN;
4. writes a PEP 503 simple index next to it (``build/simple/``) for ``micropip.install``,
   each wheel in its project's folder (``/simple/pyws/pyws-...whl``), so that the CORS
   headers the server gives ``/simple/`` cover the wheels too. pyws's folder holds both
   wheels: micropip on Pyodide 314 takes the precompiled ``py314`` one, every other
   installer (older Pyodide, JupyterLite's piplite, which skips it) the pure one;
5. copies the relay host module (``pyws/_platform/relay.mjs``, also in the wheel) beside
   the wheel as ``pyws-relay.mjs``: a page imports it to host pyws.sync's relay.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELAY_MODULE = "pyws-relay.mjs"
"""pyws/_platform/relay.mjs as pages import it: ``/pyodide/pyws-relay.mjs``."""


def run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def build_sdist_and_wheel(dist: Path) -> Path:
    """pyws's sdist and the pure wheel built from it (not from the tree), into ``dist``."""
    shutil.rmtree(dist, ignore_errors=True)
    # Without --sdist/--wheel, build makes the sdist, then the wheel from the unpacked sdist.
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ".")
    (wheel,) = dist.glob("pyws-*-py3-none-any.whl")
    return wheel


def build_wheels(wheels: Path, pure: Path, runtime: Path | None) -> list[Path]:
    """The ``pure`` pyws wheel, precompiled for ``runtime`` unless None, and the pinned
    wheels."""
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    if runtime is None:
        shutil.copy2(pure, wheels / pure.name)
    else:
        precompile(pure, runtime, wheels)
    run(
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        # --platform any: the pure wheel even where a package also has binary ones for
        # this machine (yarl, multidict and propcache do); Pyodide cannot load those.
        "--only-binary", ":all:", "--platform", "any", "--dest", wheels,
        "-r", ROOT / "scripts" / "pyodide-wheels.txt",
    )  # fmt: skip
    return sorted(wheels.glob("*.whl"))


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest},{len(data)}"


def precompile(wheel: Path, runtime: Path, out: Path) -> Path:
    """``wheel`` with each module also compiled for ``runtime``'s Python, into ``out``.

    ``import pyws`` in the page otherwise compiles every module it imports (30-34 ms warm,
    docs/benchmarks.md), while Pyodide's own packages ship bytecode. The bytecode comes
    from Pyodide itself, run under Node (scripts/pyodide_compile.mjs), so that it matches
    the runtime exactly (3.14 for 314.x, 3.13 for 0.29.x) whatever Python the host has.

    Unlike Pyodide's own packages (``pyodide py-compile``: .pyc in place of .py, so a
    traceback shows file and line but no source), the .py files stay, and the .pyc go to
    ``__pycache__`` as unchecked-hash pycs (PEP 552): import takes them without comparing
    mtimes (unpacking a wheel does not keep them), and tracebacks keep their source lines.
    The tag becomes ``py3XY-none-any`` (``py314`` for Pyodide 314): built for that Python,
    while any later one still runs it from source (it ignores another version's
    ``__pycache__``). ``cp314-none-any`` would be apter, but ``pyodide lockfile`` rejects a
    ``none-any`` wheel whose interpreter tag is not ``py3*``.
    """
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        with zipfile.ZipFile(wheel) as zf:
            infos = zf.infolist()
            zf.extractall(tree)
        answer = subprocess.run(
            ["node", str(ROOT / "scripts" / "pyodide_compile.mjs"), str(runtime), str(tree)],
            check=True, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        compiled = json.loads(answer.stdout.strip().splitlines()[-1])
        tag = "py{}{}".format(*compiled["version"][:2])
        dist_info = next(i.filename.split("/")[0] for i in infos if "dist-info/" in i.filename)
        wheel_meta = tree / dist_info / "WHEEL"
        wheel_meta.write_text(wheel_meta.read_text().replace("py3-none-any", f"{tag}-none-any"))
        when = infos[0].date_time  # reproducible: the date the build gave every entry
        names = [i.filename for i in infos if not i.filename.endswith("/RECORD")]
        ordered: list[str] = []  # the build's order, each module's bytecode after it
        for name in names:
            ordered.append(name)
            if name.endswith(".py"):
                source = Path(name)
                pyc = source.parent / "__pycache__" / f"{source.stem}.{compiled['cache_tag']}.pyc"
                if not (tree / pyc).is_file():
                    sys.exit(f"error: {pyc} was not compiled")
                ordered.append(pyc.as_posix())
        record = f"{dist_info}/RECORD"
        target = out / wheel.name.replace("-py3-none-any.whl", f"-{tag}-none-any.whl")
        lines = []
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in ordered:
                data = (tree / name).read_bytes()
                entry = zipfile.ZipInfo(name, when)
                entry.external_attr = 0o644 << 16
                zf.writestr(entry, data, zipfile.ZIP_DEFLATED)
                lines.append(f"{name},{_record_hash(data)}")
            lines.append(f"{record},,")
            entry = zipfile.ZipInfo(record, when)
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, "\n".join(lines) + "\n", zipfile.ZIP_DEFLATED)
    print(
        f"precompiled {target.name}: {compiled['compiled']} modules for Python "
        + ".".join(map(str, compiled["version"]))
    )
    return target


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


def write_simple_index(
    out: Path, simple: Path, packages: dict[str, dict[str, object]], extra: dict[str, Path]
) -> None:
    """A PEP 503 index at /simple/<name>/ with each wheel beside its page.

    The wheels are the lock's (copied from ``out``) plus ``extra`` (a project name and one
    more wheel of it: pyws's pure wheel beside its precompiled one).
    """
    shutil.rmtree(simple, ignore_errors=True)
    names = []
    for name, spec in sorted(packages.items()):
        file_name = str(spec["file_name"])
        if not file_name.endswith(".whl"):
            continue
        names.append(name)
        files = [out / file_name] + ([extra[name]] if name in extra else [])
        page = simple / name / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        anchors = []
        for wheel in dict.fromkeys(files):
            shutil.copy2(wheel, page.parent / wheel.name)
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            href = f"{wheel.name}#sha256={digest}"
            anchors.append(f'<a href="{html.escape(href)}">{html.escape(wheel.name)}</a><br>')
        page.write_text(f"<!DOCTYPE html><html><body>\n{''.join(anchors)}\n</body></html>\n")
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
    parser.add_argument(
        "--no-precompile",
        action="store_true",
        help="ship pyws as the pure wheel, without bytecode (to measure what it saves)",
    )
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
    pure = build_sdist_and_wheel(out.parent / f"dist{suffix}")
    runtime_for_bytecode = None if args.no_precompile else runtime
    wheels = build_wheels(out.parent / f"wheels{suffix}", pure, runtime_for_bytecode)
    packages = write_lock(runtime, out, wheels)
    # The relay host module (pyws.sync without JSPI), shipped in the wheel, served beside it.
    shutil.copy2(ROOT / "pyws" / "_platform" / "relay.mjs", out / RELAY_MODULE)
    write_simple_index(out, out.parent / f"simple{suffix}", packages, {"pyws": pure})
    version = json.loads((runtime / "package.json").read_text())["version"]
    print(f"built {out}: Pyodide {version}, packages: {', '.join(packages)}")


if __name__ == "__main__":
    main()
