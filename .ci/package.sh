#!/usr/bin/env bash
# The Debian package, as a coalition's admin installs it: build it from the release binary, check
# its contents, install it, run the installed binary with the packaged configuration until
# /readyz answers, check the systemd unit's syntax, then remove the package (the data stays, as
# the README promises; this script deletes the data directory only if it created it).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_DEB_VERSION=3.8.0
fail() { printf '\npackage: FAILED: %s\n' "$*" >&2; exit 1; }

if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
  echo "package: installing cargo-deb $CARGO_DEB_VERSION" >&2
  cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet
fi
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing"
[ -x target/release/courtwatch ] || cargo build --release --locked

deb=$(cargo deb -p courtwatch-api --no-build --output target/debian/ 2>&1 | tail -n 1)
[ -f "$deb" ] || fail "cargo deb wrote no package ($deb)"
echo "package: built $deb" >&2

contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/courtwatch ./usr/sbin/courtwatch-admin ./etc/courtwatch/courtwatch.env \
  courtwatch.service ./usr/share/doc/courtwatch/README.md; do
  grep -q -- "$path" <<<"$contents" || fail "the package lacks $path"
done
grep -q '^/etc/courtwatch/courtwatch.env$' <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) \
  || fail "/etc/courtwatch/courtwatch.env is not a conffile (an upgrade would overwrite the admin's settings)"
unit=$(grep -o '[^ ]*courtwatch\.service$' <<<"$contents" | sed 's/^\.//')

created_data=no
[ -e /var/lib/courtwatch ] || created_data=yes
if curl -s -o /dev/null http://127.0.0.1:8080/healthz; then fail "127.0.0.1:8080 is taken"; fi
apt-get install -y -qq "./$deb" >/dev/null 2>&1 || dpkg -i "$deb"
cleanup() {
  [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null || true
  dpkg --remove courtwatch >/dev/null 2>&1 || true
  if [ "$created_data" = yes ]; then rm -rf /var/lib/courtwatch /var/backups/courtwatch; fi
}
trap cleanup EXIT

getent passwd courtwatch >/dev/null || fail "the courtwatch user was not created"
[ "$(stat -c '%a %U' /var/lib/courtwatch)" = "700 courtwatch" ] || fail "/var/lib/courtwatch is $(stat -c '%a %U' /var/lib/courtwatch), expected 700 courtwatch"
[ "$(stat -c '%a %G' /etc/courtwatch/courtwatch.env)" = "640 courtwatch" ] || fail "/etc/courtwatch/courtwatch.env is not 640 root:courtwatch"
[ -f "$unit" ] || fail "the unit is not installed at $unit"

if command -v systemd-analyze >/dev/null; then
  # The unit's syntax, its settings and the binary it starts, installed (this machine may run no
  # systemd to start it). An unknown key or a missing binary fails here.
  systemd-analyze verify "$unit" || fail "systemd-analyze verify found problems in $unit (above)"
  echo "package: systemd-analyze verify $unit: no problems" >&2
else
  fail "systemd-analyze is missing (Debian package systemd); the unit cannot be verified"
fi

# The service's command, run the way the unit runs it: as courtwatch, with the packaged settings.
log=$(mktemp)
courtwatch-admin serve >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  curl -sf -o /dev/null http://127.0.0.1:8080/readyz && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "the installed server exited"; }
  sleep 1
done
curl -sf -o /dev/null http://127.0.0.1:8080/readyz || { cat "$log" >&2; fail "/readyz did not answer"; }
[ -f /var/lib/courtwatch/courtwatch.db ] || fail "the installed server keeps no database in /var/lib/courtwatch"
[ "$(stat -c '%U' /var/lib/courtwatch/courtwatch.db)" = courtwatch ] || fail "the database is not the courtwatch user's"
courtwatch-admin org add "Package Check (fictional)" >/dev/null
courtwatch-admin backup "/var/backups/courtwatch/check-$$.db" 2>/dev/null
[ -f "/var/backups/courtwatch/check-$$.db" ] || fail "courtwatch-admin backup wrote nothing"
if grep -q $'\e\[' "$log"; then fail "the service log has colour codes"; fi
kill -TERM "$pid"; wait "$pid" || fail "the installed server did not stop cleanly"; pid=
echo "package: installed, served /readyz from /var/lib/courtwatch as the courtwatch user, removed" >&2
