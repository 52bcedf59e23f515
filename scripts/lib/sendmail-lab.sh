#!/usr/bin/env bash
# A private, loopback-only Sendmail for the end-to-end tests: Debian's sendmail-bin, -cf and
# -base .debs unpacked with `dpkg -x` (not installed, so Postfix stays), a private .cf with a
# milter, AUTH against a private sasldb, smtp-sink as the smart host. Sendmail runs in a mount
# and UTS namespace of its own (hostname, /etc/hosts, the SASL config path are bind-mounted
# there), so the host is left untouched. Facts behind it: ../../../shared/SENDMAIL-LAB.md.
#
#   sendmail-lab.sh setup DIR MTA_PORT SINK_PORT MILTER_SOCKET   (then start; needs root)
#   sendmail-lab.sh add-user DIR LOGIN PASSWORD
#   sendmail-lab.sh start DIR        (sendmail's and smtp-sink's PIDs in DIR/run/*.pid)
#   sendmail-lab.sh stop DIR
#
# The .debs come from $STEWARD_SENDMAIL_DEBS (default /var/cache/steward-tests/sendmail,
# where scripts/install-deps puts them with `apt-get download`).
set -euo pipefail

debs="${STEWARD_SENDMAIL_DEBS:-/var/cache/steward-tests/sendmail}"
hostname_=mta.lab.test

die() { echo "sendmail-lab: $*" >&2; exit 1; }

wait_port() {  # bounded: 20 s
    local i
    for ((i = 0; i < 200; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

setup() {
    local dir="$1" mta_port="$2" sink_port="$3" socket="$4"
    ls "$debs"/sendmail-bin_*.deb "$debs"/sendmail-cf_*.deb "$debs"/sendmail-base_*.deb >/dev/null 2>&1 \
        || die "no sendmail .debs in $debs (run scripts/install-deps)"
    for deb in "$debs"/sendmail-bin_*.deb "$debs"/sendmail-cf_*.deb "$debs"/sendmail-base_*.deb; do
        dpkg -x "$deb" "$dir/root"
    done
    mkdir -p "$dir"/{etc/sasl2,mqueue,run,log,sink}
    chown postfix "$dir/sink"
    printf 'hosts files\naliases files\n' >"$dir/etc/service.switch"
    echo "127.0.0.1 $hostname_ localhost" >"$dir/etc/hosts"
    cp "$dir/etc/hosts" "$dir/etc/hosts.sys"
    sed 's/^hosts:.*/hosts: files/' /etc/nsswitch.conf >"$dir/etc/nsswitch.sys"
    echo 'postmaster: root' >"$dir/etc/aliases"
    : >"$dir/etc/local-host-names"
    printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s/etc/sasldb2\nmech_list: PLAIN LOGIN CRAM-MD5\n' \
        "$dir" >"$dir/etc/sasl2/Sendmail.conf"
    # The milter line is the shipped deploy/sendmail/steward.m4 with the lab's socket.
    local snippet
    snippet="$(dirname "$0")/../../deploy/sendmail/steward.m4"
    sed "s|unix:/run/steward/steward.sock|unix:$socket|" "$snippet" >"$dir/etc/steward.m4"
    cat >"$dir/etc/lab.mc" <<MC
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`MAIL_SETTINGS_DIR', \`$dir/etc/')dnl
define(\`QUEUE_DIR', \`$dir/mqueue')dnl
define(\`confPID_FILE', \`$dir/run/sendmail.pid')dnl
define(\`confSTATUS_FILE', \`$dir/run/statistics')dnl
define(\`confCONTROL_SOCKET_NAME', \`$dir/run/control')dnl
define(\`confHOSTS_FILE', \`$dir/etc/hosts')dnl
define(\`confSERVICE_SWITCH_FILE', \`$dir/etc/service.switch')dnl
define(\`confDOMAIN_NAME', \`$hostname_')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`confDEF_USER_ID', \`mail:mail')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confDELIVERY_MODE', \`interactive')dnl
define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5')dnl
TRUST_AUTH_MECH(\`PLAIN LOGIN CRAM-MD5')dnl
define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $sink_port')dnl
define(\`LOCAL_MAILER_PATH', \`/bin/false')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`no_default_msa')dnl
DAEMON_OPTIONS(\`Port=$mta_port, Addr=127.0.0.1, Name=MTA')dnl
include(\`$dir/etc/steward.m4')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MC
    local cf="$dir/root/usr/share/sendmail/cf"
    m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$dir/etc/lab.mc" >"$dir/etc/lab.cf"
    # The namespace: a dotted hostname (else Sendmail sleeps 60 s), the lab's hosts file, and
    # the lab's SASL config where the binary looks for it.
    cat >"$dir/ns.sh" <<NS
#!/bin/sh
set -e
hostname $hostname_
mount --bind $dir/etc/hosts.sys /etc/hosts
mount --bind $dir/etc/nsswitch.sys /etc/nsswitch.conf
mkdir -p /usr/lib/sasl2
mount --bind $dir/etc/sasl2 /usr/lib/sasl2
exec "\$@"
NS
    chmod 755 "$dir/ns.sh"
    printf 'MTA_PORT=%s\nSINK_PORT=%s\n' "$mta_port" "$sink_port" >"$dir/lab.env"
}

add_user() {
    local dir="$1" login="$2" password="$3"
    echo "$password" | saslpasswd2 -p -c -f "$dir/etc/sasldb2" -a Sendmail -u "$hostname_" "$login"
    chmod 600 "$dir/etc/sasldb2"
}

start() {
    local dir="$1"
    # shellcheck disable=SC1091
    source "$dir/lab.env"
    smtp-sink -u postfix -d "$dir/sink/%Y%m%d-%H%M%S." "127.0.0.1:$SINK_PORT" 1024 </dev/null >>"$dir/log/sink.log" 2>&1 &
    echo $! >"$dir/run/sink.pid"
    wait_port "$SINK_PORT" || die "smtp-sink did not listen on $SINK_PORT"
    unshare -mu "$dir/ns.sh" "$dir/root/usr/libexec/sendmail/sendmail" -bD -C "$dir/etc/lab.cf" \
        -X "$dir/log/transcript" </dev/null >>"$dir/log/sendmail.log" 2>&1 &
    echo $! >"$dir/run/mta.pid"
    wait_port "$MTA_PORT" || die "sendmail did not listen on $MTA_PORT: $(tail -5 "$dir/log/sendmail.log")"
}

stop() {
    local dir="$1" pid i
    for name in mta sink; do
        [[ -s "$dir/run/$name.pid" ]] || continue
        pid="$(cat "$dir/run/$name.pid")"
        kill "$pid" 2>/dev/null || continue
        for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

command="${1:-}"; shift || true
case "$command" in
    setup) setup "$@" ;;
    add-user) add_user "$@" ;;
    start) start "$@" ;;
    stop) stop "$@" ;;
    *) die "usage: sendmail-lab.sh setup|add-user|start|stop DIR ..." ;;
esac
