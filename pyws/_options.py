"""Options of ``websockets.connect`` that pyws accepts but cannot honour, and why.

Code shared with CPython passes them; failing on them would break that code, and ignoring
them silently would lie. So each is accepted with a :exc:`RuntimeWarning` that says why.
"""

from __future__ import annotations

import warnings

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


def warn_browser_cannot(options: dict[str, object]) -> None:
    """Warn about each websockets option the browser cannot honour; reject unknown ones."""
    for name, value in options.items():
        why = BROWSER_CANNOT.get(name)
        if why is None:
            raise TypeError(f"connect() got an unexpected keyword argument {name!r}")
        warnings.warn(
            f"pyws.connect() ignores {name}={value!r}: a browser's WebSocket cannot {why}",
            RuntimeWarning,
            stacklevel=3,  # the caller of connect()
        )
