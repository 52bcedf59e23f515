#!/usr/bin/env bash
# Installs a built Steward on a Debian 12 Postfix host. Run from the repository after
# `swift build -c release`. Leaves an existing /etc/steward alone.
# Superseded by the Debian package (scripts/package, docs/operations.md), which also installs
# the purge timer, man pages and completions; kept for hosts that build from source.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build -c release --show-bin-path)/steward
install -m 0755 "$bin" /usr/bin/steward
id steward >/dev/null 2>&1 || adduser --system --group --home /var/lib/steward --no-create-home steward
adduser steward postfix >/dev/null
adduser steward postdrop >/dev/null  # notices reach the maildrop under NoNewPrivileges
install -d -o steward -g postfix -m 0750 /var/spool/postfix/steward
install -d -o steward -g steward -m 0750 /var/lib/steward /var/lib/steward/spool
if [ ! -d /etc/steward ]; then
  install -d -m 0755 /etc/steward
  cp -r Policies /etc/steward/Policies
  install -m 0640 -o root -g steward deploy/steward.yaml /etc/steward/steward.yaml  # it can hold the PostgreSQL password
fi
install -m 0644 deploy/steward.service /etc/systemd/system/steward.service
systemctl daemon-reload
echo "Installed. Next: add deploy/postfix-main.cf to /etc/postfix/main.cf, then"
echo "  systemctl enable --now steward && postfix reload"
