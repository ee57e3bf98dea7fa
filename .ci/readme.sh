#!/usr/bin/env bash
# The README's commands, run as a new user runs them: taken from README.md (the fenced block after
# each `<!-- ci: NAME -->` marker), in a fresh clone, in the README's order, on the default data
# directory. Between the blocks this script only checks what the README promises; it never edits
# a command. Fails loudly on the first command or check that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
README=README.md
work=$(mktemp -d)
log() { printf '\nreadme: %s\n' "$*" >&2; }
fail() { printf '\nreadme: FAILED: %s\n' "$*" >&2; exit 1; }

# The block after `<!-- ci: NAME -->`, exactly as written.
block() {
  local text
  text=$(awk -v marker="<!-- ci: $1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }
  ' "$README")
  [ -n "$text" ] || fail "README.md has no block marked '<!-- ci: $1 -->'"
  printf '%s\n' "$text"
}

for leftover in courtwatch-data backups release observations.csv; do
  if [ -e "$leftover" ]; then
    if [ "${README_CLEAN:-}" = 1 ]; then rm -rf "$leftover"; else
      fail "$leftover exists: run this in a fresh clone (or with README_CLEAN=1 to remove it)"; fi
  fi
done
if curl -s -o /dev/null http://127.0.0.1:8080/healthz; then
  fail "something already listens on 127.0.0.1:8080, the README's address"
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_ready() { # LOGFILE PID SECONDS
  local deadline=$((SECONDS + $3))
  until curl -sf -o /dev/null http://127.0.0.1:8080/readyz; do
    kill -0 "$2" 2>/dev/null || { cat "$1" >&2; fail "the server exited before /readyz answered"; }
    [ $SECONDS -lt $deadline ] || { cat "$1" >&2; fail "/readyz did not answer within $3 s"; }
    sleep 1
  done
}

stop() { # PID: SIGTERM, then the server must exit 0 after finishing its requests
  kill -TERM -- "-$1"
  local status=0
  wait "$1" || status=$?
  [ "$status" -eq 0 ] || fail "the server exited with $status after SIGTERM"
}

# --- ## Run: each line of the block, started as written, in its own process group. ---
mapfile -t run_lines < <(block run | sed 's/[[:space:]]#.*$//' | grep -v '^[[:space:]]*$')
[ "${#run_lines[@]}" -eq 2 ] || fail "expected the two run commands in the Run block, found ${#run_lines[@]}"

log "run: ${run_lines[0]}"
setsid bash -c "${run_lines[0]}" >"$work/serve.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_ready "$work/serve.log" "$pid" 1800    # the first run compiles the release build
status=$(curl -s -o "$work/body" -w '%{http_code}' http://127.0.0.1:8080/api/v1/cases)
[ "$status" = 401 ] || fail "GET /api/v1/cases without a token answered $status, expected 401"
if grep -q $'\e\[' "$work/serve.log"; then fail "the log has ANSI colour codes though it is not a terminal"; fi
stop "$pid"

log "run: ${run_lines[1]}"
setsid bash -c "${run_lines[1]}" >"$work/demo.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_ready "$work/demo.log" "$pid" 600
token=$(grep -o 'cw_[A-Za-z0-9_-]*' "$work/demo.log" | head -n 1 || true)
[ -n "$token" ] || { cat "$work/demo.log" >&2; fail "serve --demo-data printed no token to get in with"; }
cases=$(curl -sf -H "Authorization: Bearer $token" 'http://127.0.0.1:8080/api/v1/cases?limit=500' \
  | python3 -c 'import sys, json; print(len(json.load(sys.stdin)["items"]))')
[ "$cases" = 42 ] || fail "the demo admin sees $cases cases, expected the 42 demo cases"
log "the demo admin's token reads the 42 demo cases"
# The browser way in: the sign-in link it printed opens the page that sets a password, and the
# web interface's home sends a visitor who is not signed in to the sign-in page.
link=$(grep -o 'http://[^ ]*/welcome/[A-Za-z0-9_-]*' "$work/demo.log" | head -n 1 || true)
[ -n "$link" ] || { cat "$work/demo.log" >&2; fail "serve --demo-data printed no sign-in link"; }
status=$(curl -s -o "$work/welcome.html" -w '%{http_code}' "$link")
[ "$status" = 200 ] && grep -q 'Set your password' "$work/welcome.html" \
  || fail "the demo sign-in link answered $status without the password form"
status=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' http://127.0.0.1:8080/)
[ "$status" = "303 http://127.0.0.1:8080/sign-in" ] || fail "GET / for a visitor answered '$status', expected 303 to /sign-in"
log "the demo admin's sign-in link opens the password form; / sends visitors to /sign-in"
stop "$pid"

# --- The worked example and the blocks after it, in one shell, as a user pastes them. ---
{
  cat <<'CHECKS'
set -euo pipefail
fail() { printf '\nreadme: FAILED: %s\n' "$*" >&2; exit 1; }
field() { python3 -c 'import sys, json; d = json.load(sys.stdin); print(d'"$1"')'; }
CHECKS
  block worked-example
  cat <<'CHECKS'
SERVER=$!
printf '\nreadme: checking the worked example\n' >&2
[ "$(curl -sf $API/cases/$CASE -H "Authorization: Bearer $READER" | field '["review_status"]')" = published ] \
  || fail "the researcher does not read the case as published"
[ "$(curl -sf $API/observations/$OBS -H "Authorization: Bearer $READER" | field '["status"]')" = published ] \
  || fail "the researcher does not read the observation as published"
[ "$(curl -s -o /dev/null -w '%{http_code}' $API/cases/$CASE)" = 401 ] || fail "the case is readable without a token"
CHECKS
  block sensitive-terms
  block organisations
  cat <<'CHECKS'
[ "$(curl -s -o /dev/null -w '%{http_code}' $API/cases -H "Authorization: Bearer $ANA")" = 401 ] \
  || fail "the deactivated user's token is still accepted"
courtwatch org list | grep -q "Roma Rights Watch (fictional)" || fail "the renamed organisation is not listed"
CHECKS
  block search
  cat <<'CHECKS'
printf '\nreadme: waiting for the imported judgments to be searchable\n' >&2
for _ in $(seq 1 120); do
  total=$(curl -sf -H "Authorization: Bearer $READER" 'http://127.0.0.1:8080/api/v1/search?q=ro%C4%91en&limit=1&snippets=false&facets=false' | field '["total"]')
  [ "$total" -ge 819 ] && break
  sleep 1
done
[ "$total" -ge 819 ] || fail "search for rođen finds $total judgments, the README says 819"
CHECKS
  block datasets
  block stats
  cat <<'CHECKS'
curl -sf -H "Authorization: Bearer $READER" 'http://127.0.0.1:8080/api/v1/stats/crosstab?question=hate_speech_in_courtroom&by=jurisdiction&format=csv' \
  | grep -q '^XK,yes,' || fail "the crosstab CSV has no XK,yes row"
CHECKS
  block backup
  cat <<'CHECKS'
printf '\nreadme: restore must refuse while the server runs\n' >&2
if courtwatch restore backups/courtwatch-$(date +%F).db 2>restore.err; then fail "restore ran while a server used the data directory"; fi
grep -q "stop it first" restore.err || { cat restore.err >&2; fail "restore refused without saying why"; }
rm restore.err
kill -TERM $SERVER; wait $SERVER || fail "the worked example's server did not stop cleanly"
CHECKS
  block restore
  cat <<'CHECKS'
courtwatch serve & SERVER=$!
until curl -sf -o /dev/null http://127.0.0.1:8080/readyz; do sleep 1; done
[ "$(curl -sf $API/observations/$OBS -H "Authorization: Bearer $READER" | field '["status"]')" = published ] \
  || fail "the restored database lacks the published observation"
kill -TERM $SERVER; wait $SERVER || fail "the restored server did not stop cleanly"
CHECKS
} >"$work/steps.sh"

log "the worked example, then the search, datasets, backup and restore blocks (script: $work/steps.sh)"
setsid bash "$work/steps.sh" > >(tee "$work/steps.log") 2>&1 &
pid=$!; pids+=("$pid")
wait "$pid" || fail "a README command or check failed (see above)"
grep -q '^HTTP 422$' "$work/steps.log" || fail "the worked example's invalid observation did not answer 422"
grep -q '"question":"hate_speech_by"' "$work/steps.log" || fail "the 422 does not list hate_speech_by"
log "every README command ran and did what the README says"
