// Compile a folder of Python sources to .pyc inside Pyodide itself, under Node: the
// bytecode is then exactly what the distribution's Python reads (same version, same magic
// number), whatever Python the host has. pyodide-build's `pyodide py-compile` does the same
// with a host Python of the matching version, which this machine lacks for 3.14.
//
//   node scripts/pyodide_compile.mjs <pyodide runtime dir> <source dir>
//
// Writes PEP 3147 __pycache__/<name>.<cache tag>.pyc next to each source, as
// "unchecked-hash" pycs (PEP 552): the import system uses them without looking at the
// source's mtime (a wheel's installer does not keep it), and the .py files stay beside
// them, so tracebacks still show source lines. The path compiled into each code object is
// where Pyodide installs it (its site-packages), which import fixes up to the real path anyway.
// Prints one JSON line: {"ok": true, "version": [3, 14, 2], "cache_tag": "cpython-314", ...}.

import path from "node:path";
import { pathToFileURL } from "node:url";

const [runtime, sources] = process.argv.slice(2).map((arg) => path.resolve(arg));
if (!runtime || !sources) {
  console.error("usage: node pyodide_compile.mjs <runtime dir> <source dir>");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(path.join(runtime, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: runtime + path.sep,
  stdout: () => {},
  stderr: console.error,
});
pyodide.FS.mkdirTree("/compile");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: sources }, "/compile");
const result = pyodide.runPython(`
import compileall, json, py_compile, sys, sysconfig
from pathlib import Path

prefix = sysconfig.get_paths()["purelib"]

files = sorted(Path("/compile").rglob("*.py"))
ok = compileall.compile_dir(
    "/compile", quiet=2, force=True, workers=1, stripdir="/compile", prependdir=prefix,
    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
)
compiled = sorted(Path("/compile").rglob(f"__pycache__/*.{sys.implementation.cache_tag}.pyc"))
json.dumps({
    "ok": bool(ok) and len(compiled) == len(files),
    "version": list(sys.version_info[:3]),
    "cache_tag": sys.implementation.cache_tag,
    "compiled": len(compiled),
    "sources": len(files),
})
`);
console.log(result);
if (!JSON.parse(result).ok) process.exit(1);
