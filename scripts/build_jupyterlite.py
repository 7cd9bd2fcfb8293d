"""Build the JupyterLite site of examples/jupyterlite with ``jupyter lite build``.

    python scripts/build_jupyterlite.py      # -> build/jupyterlite/site/

The example's folder is the ``--lite-dir``, used as it is. pyws reaches the site's piplite
index as a user's build gets it there, with ``--piplite-wheels``: the pure wheel built from
the sdist (build/dist/) and, beside it, the wheel precompiled for Pyodide 314
(build/wheels/), which piplite's index builder skips (jupyterlite-core 0.8.6 indexes only
``py3-none-any`` among pure wheels), so ``%pip install pyws`` falls back to the pure one.

A user's site takes Pyodide, and the Pyodide kernel's own packages (ipython and the
rest), from Pyodide's CDN. This machine reaches no CDN, so the site built here bundles
them instead, as a site meant to work offline would:

- ``--pyodide``: the npm package's runtime (web/node_modules/pyodide), with a lock file
  holding only micropip, from PyPI (build_dist.write_lock: nothing else can be fetched);
- ``--piplite-wheels``: the kernel's pure dependencies, pinned in
  scripts/jupyterlite-wheels.txt, from PyPI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from build_dist import write_lock  # noqa: E402

OUT = ROOT / "build" / "jupyterlite"
LITE_DIR = ROOT / "examples" / "jupyterlite"


def main() -> None:
    started = time.monotonic()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    pure = sorted((ROOT / "build" / "dist").glob("pyws-*-py3-none-any.whl"))
    precompiled = sorted((ROOT / "build" / "wheels").glob("pyws-*-py3[0-9]*-none-any.whl"))
    micropip = sorted((ROOT / "build" / "wheels").glob("micropip-*.whl"))
    if len(pure) != 1 or len(micropip) != 1:
        sys.exit("error: build/dist or build/wheels is incomplete: run `make setup` first")

    runtime = ROOT / "web" / "node_modules" / "pyodide"
    # A folder named pyodide holding pyodide/: the layout of Pyodide's release tarball,
    # which is what --pyodide expects of a folder too.
    pyodide = OUT / "pyodide" / "pyodide"
    shutil.copytree(runtime, pyodide, ignore=shutil.ignore_patterns("console*.html"))
    write_lock(runtime, pyodide, micropip)

    kernel_wheels = OUT / "kernel-wheels"
    subprocess.run(
        [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary", ":all:", "--platform", "any", "--dest", str(kernel_wheels),
            "-r", str(ROOT / "scripts" / "jupyterlite-wheels.txt"),
        ],
        check=True,
    )  # fmt: skip
    wheels = [*pure, *precompiled, *sorted(kernel_wheels.glob("*.whl"))]
    jupyter = Path(sys.executable).parent / "jupyter"
    subprocess.run(
        [
            str(jupyter), "lite", "build",
            "--lite-dir", str(LITE_DIR),
            "--output-dir", str(OUT / "site"),
            "--pyodide", str(pyodide.parent),
            # not the default, .cache in the lite dir: the example's folder stays as it is
            "--LiteBuildConfig.cache_dir", str(OUT / "cache"),
            *(arg for wheel in wheels for arg in ("--piplite-wheels", str(wheel))),
        ],
        check=True,
        cwd=OUT,  # jupyter lite keeps its task database (.jupyterlite.doit.db) in the cwd
    )  # fmt: skip
    print(f"built {OUT / 'site'} in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
