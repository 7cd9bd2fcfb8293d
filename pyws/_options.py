"""Options of ``websockets.connect`` that pyws accepts but cannot honour, and why.

Code shared with CPython passes them; failing on them would break that code, and ignoring
them silently would lie. So each is accepted with a :exc:`RuntimeWarning` that says why.
In CPython, where there is no browser, pyws honours the TLS options (``ssl``,
``server_hostname``) and ``proxy`` instead, and does not warn about them.
"""

from __future__ import annotations

import warnings
from typing import Any

BROWSER_CANNOT = {
    "additional_headers": "set request headers",
    "user_agent_header": "set the User-Agent (the browser sends its own)",
    "origin": "set the Origin (the browser sends the page's)",
    "compression": "choose extensions (the browser negotiates permessage-deflate itself)",
    "extensions": "choose extensions (the browser negotiates permessage-deflate itself)",
    "ping_interval": "send pings (the browser answers the server's pings itself)",
    "ping_timeout": "send pings (the browser answers the server's pings itself)",
    "max_size": "limit the size of incoming messages",
    "ssl": "use a TLS context of its own (the browser's certificates apply)",
    "server_hostname": "use a TLS context of its own (the browser's certificates apply)",
    "proxy": "use a proxy of its own (the browser's proxy settings apply; pyws honours "
    "proxy= in CPython)",
}


def warn_browser_cannot(
    options: dict[str, Any], honoured: frozenset[str] = frozenset(), stacklevel: int = 3
) -> dict[str, Any]:
    """Warn about each websockets option the browser cannot honour; reject unknown ones.

    Returns those of ``honoured`` (the platform's own: CPython's TLS options and proxy),
    unwarned.
    ``stacklevel`` 3 points the warning at the caller of the function that calls this.
    """
    kept = {}
    for name, value in options.items():
        why = BROWSER_CANNOT.get(name)
        if why is None:
            raise TypeError(f"connect() got an unexpected keyword argument {name!r}")
        if name in honoured:
            kept[name] = value
            continue
        warnings.warn(
            f"pyws.connect() ignores {name}={value!r}: a browser's WebSocket cannot {why}",
            RuntimeWarning,
            stacklevel=stacklevel,
        )
    return kept
