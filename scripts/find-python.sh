#!/bin/sh
# Print the path of a Python >= 3.12 (pyodide-build needs it), or fail saying what to install.
# Order: $PYWS_PYTHON, python3.13/python3.12/python3 on PATH, then pyenv's versions folder.
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }
for py in "${PYWS_PYTHON:-}" python3.14 python3.13 python3.12 python3; do
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 && ok "$py" && { command -v "$py"; exit 0; }
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for py in $(ls -d "$root"/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do
    ok "$py" && { echo "$py"; exit 0; }
done
echo "error: no Python >= 3.12 found (pyodide-build needs it). Install one, e.g. 'pyenv install 3.13', or set PYWS_PYTHON=/path/to/python3.12+" >&2
exit 1
