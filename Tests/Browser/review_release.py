#!/usr/bin/env python3
"""An official's release, done in a real headless Chromium through chromedriver (W3C WebDriver).

Run by Tests/StewardReviewTests/BrowserTests.swift; Python 3 standard library only. It starts
chromedriver on a free loopback port (and stops it), logs in, opens the held message from the
queue, releases it with a reason, checks the state, the message's audit trail and the branch's
figures, releases three more at once from the queue, visits every page at a phone's width
(390 px) checking that neither the page nor any table on it is wider than the screen, and
checks that the browser reported no Content-Security-Policy violation or other error. It saves
screenshots, prints one JSON object with what it saw; exit status 0 only if every check held.

The browser is kept on loopback: every host name resolves to nothing but 127.0.0.1, every other
connection goes to a dead proxy, and Chromium's background services are off.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Failure(Exception):
    pass


class WebDriver:
    """The few W3C WebDriver commands this test needs, over HTTP to chromedriver."""

    def __init__(self, base):
        self.base = base
        self.session = None

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            raise Failure(f"WebDriver {method} {path}: {error.code} {error.read()[:500]!r}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def start(self, capabilities):
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = value["sessionId"]
        # Finding an element waits up to 5 s for it (pages load after a redirect).
        self.s("POST", "/timeouts", {"implicit": 5000, "pageLoad": 30000, "script": 10000})

    def quit(self):
        if self.session:
            try:
                self.call("DELETE", f"/session/{self.session}", timeout=20)
            except (Failure, OSError):
                pass
            self.session = None

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def url(self):
        return self.s("GET", "/url")

    def find(self, css):
        try:
            return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]
        except Failure as error:
            raise Failure(f"no element {css} on {self.url()} ({error})") from None

    def find_all(self, css):
        return [e[ELEMENT] for e in self.s("POST", "/elements", {"using": "css selector", "value": css})]

    def find_in(self, element, css):
        return self.s("POST", f"/element/{element}/element", {"using": "css selector", "value": css})[ELEMENT]

    def text(self, element):
        return self.s("GET", f"/element/{element}/text")

    def text_of(self, css, timeout=15):
        """The text of the element `css` selects, found afresh until it reads: a click that
        navigates returns before the new page has replaced the old one, so an element found
        in between can go stale (seen under load; Chrome reports it either as a stale element
        or as a node that "does not belong to the document")."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.loaded()
                return self.text(self.find(css))
            except Failure as error:
                gone = "stale element" in str(error) or "does not belong to the document" in str(error)
                if not gone or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def loaded(self):
        wait_until(lambda: self.script("return document.readyState;") == "complete", 30, "the page to load")

    def attribute(self, element, name):
        return self.s("GET", f"/element/{element}/attribute/{name}")

    def type(self, element, text):
        self.s("POST", f"/element/{element}/clear", {})
        self.s("POST", f"/element/{element}/value", {"text": text})

    def click(self, element):
        self.s("POST", f"/element/{element}/click", {})

    def selected(self, element):
        return self.s("GET", f"/element/{element}/selected")

    def script(self, source, *args):
        return self.s("POST", "/execute/sync", {"script": source, "args": list(args)})

    def resize(self, width, height):
        self.s("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        with open(path, "wb") as out:
            out.write(base64.b64decode(self.s("GET", "/screenshot")))

    def browser_log(self):
        """Console and CSP messages Chromium reported (chromedriver's legacy log endpoint)."""
        try:
            return self.s("POST", "/se/log", {"type": "browser"}) or []
        except Failure:
            return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise Failure(f"timed out after {timeout} s waiting for {what}")


def start_chromedriver(binary, log_path):
    port = free_port()
    log = open(log_path, "ab")
    process = subprocess.Popen([binary, f"--port={port}", "--allowed-ips=127.0.0.1"],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def ready():
        if process.poll() is not None:
            raise Failure(f"chromedriver exited with status {process.returncode} (see {log_path})")
        try:
            with urllib.request.urlopen(base + "/status", timeout=2) as response:
                return json.loads(response.read())["value"].get("ready", False)
        except OSError:
            return False

    wait_until(ready, 30, "chromedriver to listen")
    return process, base


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def chromium_capabilities(profile):
    arguments = [
        "--headless=new", "--disable-gpu", "--window-size=1280,1000", f"--user-data-dir={profile}",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
        "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--no-pings",
        "--metrics-recording-only", "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        # Loopback only: names resolve to nothing but 127.0.0.1, other traffic to a dead proxy.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--disable-dev-shm-usage",
    ]
    if os.geteuid() == 0:
        # Chromium refuses to run as root with its sandbox; the pages here are our own, on loopback.
        arguments.append("--no-sandbox")
    return {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": shutil.which("chromium") or "/usr/bin/chromium", "args": arguments},
        "goog:loggingPrefs": {"browser": "ALL"},
        "pageLoadStrategy": "normal",
    }


PHONE = (390, 844)

# How far the page, and the worst table on it, reach past the screen's width (0: they fit).
# A table counts as overflowing when it is wider than its box (it would scroll sideways inside
# it) or reaches past either edge of the viewport.
OVERFLOW = """
const doc = document.documentElement;
const width = doc.clientWidth;
let worst = 0, where = "";
for (const table of document.querySelectorAll("table")) {
  const box = table.getBoundingClientRect();
  const wrap = table.closest(".table-wrap");
  const over = Math.max(table.scrollWidth - table.clientWidth, Math.ceil(box.right) - width, -Math.floor(box.left),
                        wrap ? wrap.scrollWidth - wrap.clientWidth : 0);
  if (over > worst) { worst = over; where = table.id || "(table without id)"; }
}
return {page: doc.scrollWidth - width, tables: document.querySelectorAll("table").length, worst: worst, where: where, width: width};
"""


def phone_check(driver, args, result, name):
    """The current page at phone width: its overflow and its tables', and a screenshot."""
    driver.resize(*PHONE)
    driver.loaded()
    measured = driver.script(OVERFLOW)
    driver.screenshot(os.path.join(args.output, f"phone-{name}.png"))
    result.setdefault("phone_pages", {})[name] = measured
    return measured


def run(args, driver, result):
    base = args.base_url.rstrip("/")

    # The sign-in page on a phone, before signing in.
    driver.go(base + "/login")
    phone_check(driver, args, result, "login")
    driver.resize(1280, 1000)

    # Any page without a session lands on the login form.
    driver.go(base + f"/messages/{args.message}")
    if not driver.url().startswith(base + "/login"):
        raise Failure(f"without a session /messages/{args.message} showed {driver.url()}, not the login page")
    form = driver.find("#login-form")
    driver.type(driver.find("#login"), args.login)
    driver.type(driver.find("#password"), args.password)
    driver.click(driver.find_in(form, "button[type=submit], input[type=submit]"))
    if args.totp_uri:
        # The second step: the code an authenticator app would show now (RFC 6238).
        wait_until(lambda: driver.find_all("#code-form"), 15, "the code form after the password")
        code_form = driver.find("#code-form")
        driver.type(driver.find("#code"), totp_code(args.totp_uri))
        driver.click(driver.find_in(code_form, "button[type=submit], input[type=submit]"))
        result["code_step"] = True
    wait_until(lambda: not driver.url().startswith(base + "/login"), 15, "the login to leave the login page")
    result["after_login"] = driver.url()

    # The queue lists the message; its Message cell links to the message page.
    driver.go(base + "/")
    row = driver.find(f'#queue tr[data-id="{args.message}"]')
    link = driver.find_in(row, 'td[data-label="Message"] a')
    result["queue_link"] = driver.attribute(link, "href")
    driver.click(link)
    wait_until(lambda: driver.url().rstrip("/").endswith(f"/messages/{args.message}"), 15, "the message page")
    result["state_before"] = driver.text_of("#state").strip()
    result["findings"] = driver.text_of("#findings").strip()

    # Release with a reason and the confirmation ticked.
    driver.type(driver.find("#release-reason"), args.reason)
    confirm = driver.find("#release-confirm")
    driver.click(confirm)
    if not driver.selected(confirm):
        raise Failure("the release confirmation did not tick")
    release_form = driver.find("#release-form")
    driver.click(driver.find_in(release_form, "button[type=submit], input[type=submit]"))
    wait_until(lambda: driver.text_of("#state").strip() != result["state_before"], 20,
               "the state to change after the release")
    result["url_after_release"] = driver.url()
    result["state_after"] = driver.text_of("#state").strip()
    result["flash"] = driver.text_of("#flash").strip()
    driver.screenshot(os.path.join(args.output, "message-released.png"))

    # On a phone's width the page does not scroll sideways.
    driver.resize(390, 844)
    result["phone_overflow_px"] = driver.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
    driver.screenshot(os.path.join(args.output, "message-released-phone.png"))
    driver.resize(1280, 1000)

    # The message's audit trail names the release, the official and the reason.
    driver.go(base + f"/messages/{args.message}/trail")
    driver.loaded()
    driver.find("#trail")
    rows = [driver.text(r) for r in driver.find_all("#trail tr")]
    result["trail_rows"] = rows
    driver.screenshot(os.path.join(args.output, "message-trail.png"))
    if not any("release" in r.lower() and args.login in r for r in rows):
        raise Failure(f"the trail has no release by {args.login}: {rows}")

    # The branch's figures count the hold and the release, in the chart drawn on the server.
    driver.go(base + f"/branches/{args.branch}/figures")
    driver.loaded()
    chart = driver.find("#figures-chart")
    result["figures_label"] = driver.attribute(chart, "aria-label")
    result["chart_bars"] = len(driver.find_all("#figures-chart rect title"))
    driver.screenshot(os.path.join(args.output, "branch-figures.png"))
    driver.resize(390, 844)
    result["figures_phone_overflow_px"] = driver.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
    driver.screenshot(os.path.join(args.output, "branch-figures-phone.png"))
    driver.resize(1280, 1000)

    # Three more held messages released at once from the queue, with one reason.
    if args.bulk:
        driver.go(base + "/")
        driver.loaded()
        for message in args.bulk:
            box = driver.find(f"#pick-{message}")
            driver.click(box)
            if not driver.selected(box):
                raise Failure(f"the queue's box for message {message} did not tick")
        driver.click(driver.find("#bulk-release"))
        driver.type(driver.find("#bulk-reason"), args.bulk_reason)
        driver.click(driver.find("#bulk-confirm"))
        driver.screenshot(os.path.join(args.output, "queue-bulk-ticked.png"))
        driver.click(driver.find_in(driver.find("#bulk-decision"), "button[type=submit]"))
        wait_until(lambda: driver.find_all("#flash"), 20, "the flash line after the bulk release")
        result["bulk_flash"] = driver.text_of("#flash").strip()
        result["bulk_states"] = {
            str(message): driver.text(driver.find(f'#queue tr[data-id="{message}"] .state')).strip() for message in args.bulk}
        driver.screenshot(os.path.join(args.output, "queue-bulk-released.png"))

    # Every page at a phone's width: nothing wider than the screen, tables included.
    pages = [
        ("queue", "/"), ("message", f"/messages/{args.message}"), ("message-trail", f"/messages/{args.message}/trail"),
        ("branches", "/branches"), ("branch-trail", f"/branches/{args.branch}/trail"),
        ("figures", f"/branches/{args.branch}/figures"), ("shadow", f"/branches/{args.branch}/shadow"),
    ]
    for name, path in pages:
        driver.resize(1280, 1000)
        driver.go(base + path)
        driver.loaded()
        phone_check(driver, args, result, name)
        if name == "queue":
            # The filters are folded behind one button on a phone.
            result["filters_folded"] = driver.script(
                "const d = document.getElementById('filters-fold');"
                "return !!d && !d.open && !document.getElementById('filters').checkVisibility();")
        if name == "figures":
            # The chart opens scrolled to its end: the latest week is in view.
            result["chart_scroll"] = driver.script(
                "const box = document.querySelector('.chart-scroll'); const svg = box.querySelector('svg');"
                "const b = box.getBoundingClientRect(), s = svg.getBoundingClientRect();"
                "return {scrolls: box.scrollWidth > box.clientWidth, latest_in_view: s.right <= b.right + 1 && s.right >= b.right - 1};")
    # The content page (a look at the content, on the trail like any other).
    driver.resize(1280, 1000)
    driver.go(base + f"/messages/{args.message}")
    driver.type(driver.find("#content-reason"), "checking the page on a phone")
    driver.click(driver.find_in(driver.find("#content-form"), "button[type=submit]:not([formaction])"))
    wait_until(lambda: "/content" in driver.url(), 15, "the content page")
    phone_check(driver, args, result, "content")
    driver.resize(1280, 1000)

    log = driver.browser_log()
    result["browser_log"] = log
    if log is not None:
        # A CSP violation, a missing asset or any other error the browser saw on these pages.
        problems = [e for e in log if "Content Security Policy" in e.get("message", "") or e.get("level") == "SEVERE"]
        if problems:
            raise Failure(f"the browser reported problems: {problems}")

    if result["state_after"] != "released":
        raise Failure(f"#state says {result['state_after']!r} after the release, not 'released'")
    for page, key in (("message", "phone_overflow_px"), ("figures", "figures_phone_overflow_px")):
        if result[key] and result[key] > 0:
            raise Failure(f"the {page} page scrolls sideways on a phone by {result[key]} px")
    for page, measured in result.get("phone_pages", {}).items():
        if measured["page"] > 0 or measured["worst"] > 0:
            raise Failure(f"at {PHONE[0]} px the {page} page is too wide: {measured}")
    if args.bulk and any(state != "released" for state in result["bulk_states"].values()):
        raise Failure(f"after the bulk release: {result['bulk_states']} ({result['bulk_flash']})")


def totp_code(uri):
    """The 6-digit TOTP code for now from an otpauth:// URI (HMAC-SHA1, 30-second steps)."""
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def run_in_chromium(args, body):
    """Runs body(args, driver, result) in a fresh headless Chromium through chromedriver, prints
    the result as JSON (with the page and a screenshot where it failed) and returns the exit code.
    Only a review app on loopback is ever driven."""
    if not args.base_url.startswith(("http://127.0.0.1:", "http://[::1]:", "http://localhost:")):
        print(json.dumps({"ok": False, "error": "only loopback addresses are tested"}))
        return 2
    os.makedirs(args.output, exist_ok=True)
    result = {"ok": False}
    profile = tempfile.mkdtemp(prefix="steward-chromium-")
    process = None
    driver = None
    try:
        process, base = start_chromedriver(args.chromedriver, os.path.join(args.output, "chromedriver.log"))
        driver = WebDriver(base)
        driver.start(chromium_capabilities(profile))
        body(args, driver, result)
        result["ok"] = True
    except (Failure, OSError, KeyError, ValueError) as error:
        result["error"] = str(error)
        if driver and driver.session:
            try:
                result["failed_at"] = driver.url()
                driver.screenshot(os.path.join(args.output, "failure.png"))
            except (Failure, OSError):
                pass
    finally:
        if driver:
            driver.quit()
        if process:
            stop(process)
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--message", required=True, type=int)
    parser.add_argument("--reason", required=True)
    parser.add_argument("--branch", required=True, help="the official's branch, for its figures page")
    parser.add_argument("--bulk", type=int, nargs="*", default=[], help="held messages to release together from the queue")
    parser.add_argument("--bulk-reason", default="Expected mail from our printer, checked together.")
    parser.add_argument("--output", required=True, help="directory for screenshots and logs")
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    args = parser.parse_args()
    # From the environment, not the command line, where other users' `ps` would see it.
    args.password = os.environ.get("STEWARD_TEST_PASSWORD", "")
    args.totp_uri = os.environ.get("STEWARD_TEST_TOTP_URI", "")

    return run_in_chromium(args, run)


if __name__ == "__main__":
    sys.exit(main())
