#!/usr/bin/env python3
"""A review admin shadows a branch's candidate policy and promotes it, in a real headless Chromium.

Run by Tests/StewardEndToEndTests/ShadowBrowserEndToEndTests.swift while `steward serve` filters
mail through a private Postfix lab. It signs in, opens the branch's candidate page and waits (up
to 60 s, reloading) for the difference the lab's message made, reads it, and promotes the
candidate with a reason. Python 3 standard library only; the WebDriver helpers are
review_release.py's. It prints one JSON object with what it saw; exit status 0 only if every
step held.
"""

import argparse
import os
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from review_release import (  # noqa: E402
    Failure, run_in_chromium, wait_until)


def listening(base):
    """Whether the review app accepts connections yet (`steward serve` starts it beside the milter)."""
    host, port = base.rsplit("/", 1)[-1].rsplit(":", 1)
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=1).close()
        return True
    except OSError:
        return False


def run(args, driver, result):
    base = args.base_url.rstrip("/")
    wait_until(lambda: listening(base), 60, "the review app to listen")
    driver.go(base + "/login")
    form = driver.find("#login-form")
    driver.type(driver.find("#login"), args.login)
    driver.type(driver.find("#password"), args.password)
    driver.click(driver.find_in(form, "button[type=submit]"))
    wait_until(lambda: not driver.url().startswith(base + "/login"), 15, "the login to leave the login page")

    # The candidate page shows the difference once the lab's message has been judged.
    page = base + f"/branches/{args.branch}/shadow"

    def difference():
        driver.go(page)
        driver.loaded()
        return [driver.text(row) for row in driver.find_all("#shadow-messages tbody tr")]

    deadline = time.monotonic() + 60
    rows = difference()
    while not rows and time.monotonic() < deadline:
        time.sleep(1)
        rows = difference()
    result["differences"] = rows
    result["rule_rows"] = [driver.text(row) for row in driver.find_all("#shadow-rules tbody tr")]
    driver.screenshot(os.path.join(args.output, "shadow-difference.png"))
    if not rows:
        raise Failure("no difference appeared on the candidate page within 60 s")

    driver.type(driver.find("#promote-reason"), args.reason)
    confirm = driver.find("#promote-confirm")
    driver.click(confirm)
    driver.click(driver.find_in(driver.find("#promote-form"), "button[type=submit]"))
    wait_until(lambda: driver.find_all("#flash"), 20, "the flash line after promoting")
    result["flash"] = driver.text_of("#flash").strip()
    result["no_candidate"] = bool(driver.find_all("#no-candidate"))
    driver.screenshot(os.path.join(args.output, "shadow-promoted.png"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--branch", required=True)
    parser.add_argument("--reason", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    args = parser.parse_args()
    args.password = os.environ.get("STEWARD_TEST_PASSWORD", "")
    return run_in_chromium(args, run)


if __name__ == "__main__":
    sys.exit(main())
