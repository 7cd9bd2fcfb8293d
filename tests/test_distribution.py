"""The local Pyodide distribution: Pyodide and pyws load from 127.0.0.1 only."""

from __future__ import annotations

from typing import Any

from pytest_pyodide import run_in_pyodide


@run_in_pyodide(packages=["pyws"])
def test_import_pyws_after_load_package(selenium: Any) -> None:
    import sys

    import pyws

    assert pyws.__version__
    assert sys.version_info[:2] >= (3, 13)


def test_load_packages_from_imports(selenium: Any) -> None:
    loaded = selenium.run_js(
        """
        await pyodide.loadPackagesFromImports("import pyws");
        return Object.keys(pyodide.loadedPackages);
        """
    )
    assert "pyws" in loaded
