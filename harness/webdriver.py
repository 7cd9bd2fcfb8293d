"""The demo page tests (tests/page) in WebKitGTK, through WebKitWebDriver and Selenium.

Playwright cannot drive Debian's WebKit (its own WebKit is a patched build that cannot be
downloaded here); WebKitWebDriver can, over W3C WebDriver. The page tests are written
against Playwright's sync API, so this module gives them the part of it they use, over a
Selenium session: :class:`Page` (``goto``, ``locator``, ``fill``, ``click``, ``press``,
``check``, ``select_option``, ``mouse``, ``evaluate``, ``on``, ``screenshot``,
``set_viewport_size``), :class:`Locator`, and :func:`expect`, which polls like Playwright's
and hands Playwright's own objects to Playwright's ``expect``. A test runs unchanged in
every browser; :func:`webkit_page` starts one.

Selenium rather than hand-written HTTP: it ships a WebKitGTK driver class (the MiniBrowser
binary and its arguments, a service for WebKitWebDriver), the W3C actions that the canvas
drags need, and the WebDriver errors as exceptions; an HTTP client of our own would
re-implement those for the same dozen calls.

What WebDriver classic cannot see: WebKitWebDriver 2.50 has no WebDriver BiDi (a session
asking for ``webSocketUrl`` is refused) and does not pass the browser's console on, so
:meth:`Page.on` reports ``console`` errors and uncaught errors (``pageerror``) through a
hook the page gets when :meth:`Page.goto` returns (after its ``load`` event, before
Pyodide boots), ``request`` from the page's resource timing entries, and no
``websocket`` events.
"""

from __future__ import annotations

import os
import re
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin

from playwright.sync_api import expect as playwright_expect
from selenium.common.exceptions import JavascriptException, WebDriverException
from selenium.webdriver import WebKitGTK, WebKitGTKOptions
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.webkitgtk.service import Service

from harness.config import browser_config
from harness.process import stop
from harness.xvfb import start_xvfb

POLL = 0.1
"""How often an expectation looks at the page again, in seconds."""

# Elements by a CSS selector, narrowed by `has_text` filters and `nth` picks, in the page.
_FIND = """
const [css, steps] = arguments;
let found = Array.from(document.querySelectorAll(css));
for (const [kind, value] of steps) {
  if (kind === "has_text") found = found.filter((e) => e.textContent.includes(value));
  else found = found.length > value ? [found[value]] : [];
}
"""

_STATE = (
    _FIND
    + """
const e = found[0];
const style = e && getComputedStyle(e);
return {
  count: found.length,
  text: e ? e.textContent : null,
  attributes: e ? Object.fromEntries(Array.from(e.attributes, (a) => [a.name, a.value])) : {},
  disabled: e ? !!e.disabled : null,
  visible: !!e && style.visibility !== "hidden" && e.getClientRects().length > 0,
};
"""
)

_HOOK = """
if (!window.__pywsRecorded) {
  const recorded = (window.__pywsRecorded = []);
  const text = (values) => values.map((v) => (v instanceof Error ? v.stack || v : String(v)));
  const error = console.error.bind(console);
  const record = (kind, value) => recorded.push([kind, String(value)]);
  console.error = (...values) => { record("console", text(values).join(" ")); error(...values); };
  addEventListener("error", (e) => record("pageerror", e.error?.stack || e.message));
  addEventListener("unhandledrejection", (e) => record("pageerror", e.reason?.stack || e.reason));
}
"""

_EVENTS = """
const [seen] = arguments;
const recorded = window.__pywsRecorded || [];
const urls = [location.href, ...performance.getEntriesByType("resource").map((e) => e.name)];
return {recorded: recorded.slice(seen[0]), urls: urls.slice(seen[1])};
"""

_EVALUATE = """
const done = arguments[arguments.length - 1];
const [source, arg] = arguments;
Promise.resolve()
  .then(() => (0, eval)("(" + source + ")")(arg))
  .then((value) => done({value}), (error) => done({error: String(error?.stack || error)}));
"""

_FUNCTION = re.compile(r"^\s*(async\s+)?(\(|function\b|[\w$]+\s*=>)")

_KEYS = {"Enter": Keys.ENTER, "Tab": Keys.TAB, "Escape": Keys.ESCAPE}


VIEWPORT_WAIT = 10.0
"""Hang guard for a window resize to reach the page; never a timing assertion."""


@dataclass
class ConsoleMessage:
    """What a ``console`` handler gets: Playwright's ``type`` and ``text``."""

    type: str
    text: str


class Page:
    """The part of Playwright's sync ``Page`` that the page tests use, over WebDriver."""

    def __init__(self, driver: WebKitGTK, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url
        self.timeout = 30.0
        self.mouse = Mouse(driver)
        self._handlers: dict[str, list[Callable[[Any], None]]] = {}
        self._seen = [0, 0]

    # -- navigation and events -------------------------------------------------------------

    def set_default_timeout(self, timeout_ms: float) -> None:
        self.timeout = timeout_ms / 1000

    def set_default_navigation_timeout(self, timeout_ms: float) -> None:
        self.driver.set_page_load_timeout(timeout_ms / 1000)

    def goto(self, url: str) -> None:
        self.driver.get(urljoin(self.base_url, url))
        self._seen = [0, 0]
        self.driver.execute_script(_HOOK)
        self.pump()

    def on(self, event: str, handler: Callable[[Any], None]) -> None:
        """``console``, ``pageerror`` and ``request`` (see the module's doc); delivered
        whenever the test next acts on or looks at the page."""
        self._handlers.setdefault(event, []).append(handler)

    def pump(self) -> None:
        """Deliver what the page recorded since the last call to the handlers of :meth:`on`."""
        if not self._handlers:
            return
        events = self.driver.execute_script(_EVENTS, self._seen)
        self._seen[0] += len(events["recorded"])
        self._seen[1] += len(events["urls"])
        for kind, text in events["recorded"]:
            if kind == "console":
                self._emit("console", ConsoleMessage("error", text))
            else:
                self._emit("pageerror", text)
        for url in events["urls"]:
            self._emit("request", _Request(url))

    def _emit(self, event: str, value: Any) -> None:
        for handler in self._handlers.get(event, []):
            handler(value)

    # -- elements --------------------------------------------------------------------------

    def locator(self, selector: str) -> Locator:
        return Locator(self, selector)

    def fill(self, selector: str, text: str) -> None:
        self.locator(selector).fill(text)

    def click(self, selector: str) -> None:
        self.locator(selector).click()

    def press(self, selector: str, key: str) -> None:
        self.locator(selector).element().send_keys(_KEYS.get(key, key))
        self.pump()

    def check(self, selector: str) -> None:
        element = self.locator(selector).element()
        if not element.is_selected():
            element.click()
        self.pump()

    def select_option(self, selector: str, value: str) -> None:
        select = Select(self.locator(selector).element())
        try:
            select.select_by_value(value)
        except WebDriverException:
            select.select_by_visible_text(value)
        self.pump()

    # -- the page as a whole ---------------------------------------------------------------

    def evaluate(self, source: str, arg: Any = None) -> Any:
        """A function (called with ``arg``, awaited) or an expression, as in Playwright."""
        if not _FUNCTION.match(source):
            source = f"() => ({source})"
        outcome = self.driver.execute_async_script(_EVALUATE, source, arg)
        self.pump()
        if "error" in outcome:
            raise JavascriptException(outcome["error"])
        return outcome.get("value")

    def set_viewport_size(self, size: dict[str, int]) -> None:
        """Size the window so that its viewport is ``size`` (the window's frame differs)."""
        # The X server applies a resize after set_window_size returns (seen: a viewport
        # still 38 px short when read at once, on a loaded machine), and the frame is only
        # known once a size has been applied: measure, correct, and wait for it to settle.
        width, height = size["width"], size["height"]
        self.driver.set_window_size(width, height)
        deadline = time.monotonic() + VIEWPORT_WAIT
        while True:
            inner = self.driver.execute_script("return [innerWidth, innerHeight]")
            if inner == [width, height]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the viewport is {inner[0]}x{inner[1]}, not {width}x{height}")
            outer = self.driver.get_window_size()
            wanted = (width + outer["width"] - inner[0], height + outer["height"] - inner[1])
            if (outer["width"], outer["height"]) != wanted:
                self.driver.set_window_size(*wanted)
            time.sleep(0.05)

    def screenshot(self, path: Path | str, full_page: bool = False) -> None:
        """The viewport, or with ``full_page`` the whole document (its root element)."""
        if full_page:
            data = self.driver.find_element("css selector", "html").screenshot_as_png
        else:
            data = self.driver.get_screenshot_as_png()
        Path(path).write_bytes(data)


@dataclass
class _Request:
    url: str


class Mouse:
    """Playwright's ``page.mouse``: viewport coordinates, W3C pointer actions."""

    def __init__(self, driver: WebKitGTK) -> None:
        self.driver = driver
        self.x, self.y = 0.0, 0.0

    def _perform(self, act: Callable[[ActionBuilder], None]) -> None:
        builder = ActionBuilder(self.driver, duration=0)
        act(builder)
        builder.perform()

    def move(self, x: float, y: float, steps: int = 1) -> None:
        start_x, start_y = self.x, self.y

        def moves(builder: ActionBuilder) -> None:
            for step in range(1, steps + 1):
                at_x = start_x + (x - start_x) * step / steps
                at_y = start_y + (y - start_y) * step / steps
                builder.pointer_action.move_to_location(round(at_x), round(at_y))  # type: ignore[no-untyped-call]

        self._perform(moves)
        self.x, self.y = x, y

    def down(self) -> None:
        self._perform(lambda builder: builder.pointer_action.pointer_down())  # type: ignore[no-untyped-call]

    def up(self) -> None:
        self._perform(lambda builder: builder.pointer_action.pointer_up())  # type: ignore[no-untyped-call]


class Locator:
    """Playwright's ``Locator``: a CSS selector, ``first``, ``filter(has_text=...)``."""

    def __init__(self, page: Page, css: str, steps: tuple[tuple[str, Any], ...] = ()) -> None:
        self.page, self.css, self.steps = page, css, steps

    def __repr__(self) -> str:
        return f"<Locator {self.css} {list(self.steps)}>"

    @property
    def first(self) -> Locator:
        return Locator(self.page, self.css, (*self.steps, ("nth", 0)))

    def filter(self, *, has_text: str) -> Locator:
        return Locator(self.page, self.css, (*self.steps, ("has_text", has_text)))

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.page.driver.execute_script(_STATE, self.css, self.steps)
        return state

    def element(self) -> WebElement:
        """The one element (the first once ``timeout`` has passed with none)."""
        deadline = time.monotonic() + self.page.timeout
        while True:
            found = self.page.driver.execute_script(_FIND + "return found;", self.css, self.steps)
            if found:
                element: WebElement = found[0]
                return element
            if time.monotonic() > deadline:
                raise AssertionError(f"{self!r}: no element within {self.page.timeout} s")
            time.sleep(POLL)

    def click(self) -> None:
        self.element().click()
        self.page.pump()

    def fill(self, text: str) -> None:
        """Set the value as typing would: an ``input`` event, then ``change``."""
        self.page.driver.execute_script(
            "const [e, v] = arguments; e.focus(); e.value = v;"
            "e.dispatchEvent(new Event('input', {bubbles: true}));"
            "e.dispatchEvent(new Event('change', {bubbles: true}));",
            self.element(),
            text,
        )
        self.page.pump()

    def scroll_into_view_if_needed(self) -> None:
        self.page.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'})", self.element()
        )

    def bounding_box(self) -> dict[str, float] | None:
        box: dict[str, float] | None = self.page.driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return {x: r.x, y: r.y, width: r.width, height: r.height};",
            self.element(),
        )
        return box

    def text_content(self) -> str | None:
        text: str | None = self.state()["text"]
        return text

    def get_attribute(self, name: str) -> str | None:
        value: str | None = self.state()["attributes"].get(name)
        return value


def _normalized(text: str | None) -> str:
    return " ".join((text or "").split())


class LocatorAssertions:
    """Playwright's ``expect(locator)``: polls until it holds or the timeout passes."""

    timeout = 5.0
    """Seconds; :func:`expect`'s ``set_options`` changes it, as Playwright's does."""

    def __init__(self, locator: Locator, negate: bool = False) -> None:
        self.locator, self.negate = locator, negate

    @property
    def not_(self) -> LocatorAssertions:
        return LocatorAssertions(self.locator, not self.negate)

    def _wait(
        self, what: str, holds: Callable[[dict[str, Any]], bool], timeout: float | None
    ) -> None:
        seconds = self.timeout if timeout is None else timeout / 1000
        deadline = time.monotonic() + seconds
        while True:
            state = self.locator.state()
            if holds(state) != self.negate:
                self.locator.page.pump()
                return
            if time.monotonic() > deadline:
                self.locator.page.pump()
                negation = "not " if self.negate else ""
                raise AssertionError(
                    f"{self.locator!r}: expected {negation}{what} within {seconds} s; "
                    f"it has count {state['count']}, text {state['text']!r}, "
                    f"attributes {state['attributes']}"
                )
            time.sleep(POLL)

    def to_have_attribute(self, name: str, value: str, *, timeout: float | None = None) -> None:
        self._wait(f"{name}={value!r}", lambda s: s["attributes"].get(name) == value, timeout)

    def to_have_text(self, text: str | re.Pattern[str], *, timeout: float | None = None) -> None:
        def holds(state: dict[str, Any]) -> bool:
            if state["count"] == 0:
                return False
            got = _normalized(state["text"])
            if isinstance(text, re.Pattern):
                return text.search(got) is not None
            return got == _normalized(text)

        self._wait(f"text {text!r}", holds, timeout)

    def to_contain_text(self, text: str, *, timeout: float | None = None) -> None:
        self._wait(
            f"text containing {text!r}",
            lambda s: s["count"] > 0 and _normalized(text) in _normalized(s["text"]),
            timeout,
        )

    def not_to_have_text(self, text: str, *, timeout: float | None = None) -> None:
        self.not_.to_have_text(text, timeout=timeout)

    def not_to_contain_text(self, text: str, *, timeout: float | None = None) -> None:
        self.not_.to_contain_text(text, timeout=timeout)

    def to_be_enabled(self, *, timeout: float | None = None) -> None:
        self._wait("enabled", lambda s: s["count"] > 0 and not s["disabled"], timeout)

    def to_be_disabled(self, *, timeout: float | None = None) -> None:
        self._wait("disabled", lambda s: s["count"] > 0 and bool(s["disabled"]), timeout)

    def to_be_hidden(self, *, timeout: float | None = None) -> None:
        self._wait("hidden", lambda s: not s["visible"], timeout)

    def to_have_count(self, count: int, *, timeout: float | None = None) -> None:
        self._wait(f"count {count}", lambda s: s["count"] == count, timeout)


class _Expect:
    """Playwright's ``expect`` for both kinds of page."""

    def __call__(self, actual: Any) -> Any:
        if isinstance(actual, Locator):
            return LocatorAssertions(actual)
        return playwright_expect(actual)

    def set_options(self, timeout: float | None = None) -> None:
        playwright_expect.set_options(timeout=timeout)
        LocatorAssertions.timeout = (timeout or 5_000) / 1000


expect = _Expect()


class TrustingOptions(WebKitGTKOptions):
    """Selenium's WebKitGTK options, with WebKitWebDriver's ``certificates``: each a host
    and a PEM certificate file that the browser accepts for that host (and nothing else it
    would refuse), as web-platform-tests does for WebKitGTK."""

    def __init__(self, certificates: Mapping[str, Path] | None = None) -> None:
        super().__init__()
        self.certificates = dict(certificates or {})
        """Host -> certificate file."""

    def to_capabilities(self) -> dict[str, Any]:
        capabilities: dict[str, Any] = super().to_capabilities()
        if self.certificates:
            capabilities[self.KEY]["certificates"] = [
                {"host": host, "certificateFile": str(path)}
                for host, path in self.certificates.items()
            ]
        return capabilities


@contextmanager
def webkit_driver(
    screen: str,
    log: IO[Any],
    *,
    certificates: Mapping[str, Path] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[WebKitGTK]:
    """A WebKitGTK MiniBrowser driven by WebKitWebDriver (Selenium) on a private Xvfb of
    ``screen`` (``WxH``), accepting ``certificates`` (:class:`TrustingOptions`); the
    driver's and the browser's output go to ``log``, ``env`` is added to their
    environment."""
    config = browser_config()
    browser, driver_path = config.webkit_executable_path(), config.webkit_driver_path()
    if not browser or not driver_path:
        raise RuntimeError("no WebKitGTK or WebKitWebDriver: run `make webkit`")
    options = TrustingOptions(certificates)
    options.binary_location = browser
    for argument in ("--automation", *config.WEBKIT_ARGS):
        options.add_argument(argument)
    xvfb, display = start_xvfb(screen)
    try:
        environment = {**os.environ, **(env or {}), "DISPLAY": display}
        service = Service(driver_path, log_output=log, env=environment)
        with warnings.catch_warnings():
            # Selenium's own WebKitGTK class sets an option it has deprecated.
            warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
            driver = WebKitGTK(options=options, service=service)
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        stop(xvfb, 10)


@contextmanager
def webkit_page(base_url: str, log: Path) -> Iterator[Page]:
    """A WebKitGTK MiniBrowser driven by WebKitWebDriver on a private Xvfb, at
    playwright.config.py's viewport; the driver's output goes to ``log``."""
    config = browser_config()
    screen = f"{config.VIEWPORT['width']}x{config.VIEWPORT['height'] + 100}"
    with log.open("w") as out, webkit_driver(screen, out) as driver:
        page = Page(driver, base_url)
        page.set_viewport_size(config.VIEWPORT)
        yield page
