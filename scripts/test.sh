#!/usr/bin/env bash
# Every test, in order of speed: the engine natively, the server package and the protocol's
# conformance runs, the adapters in headless Chromium, Firefox and WebKit, then the built bundle
# end to end against the demo portal in each (and in Chromium against the Redis cluster). Run
# through `npm test`, which runs scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
export PATH="$HOME/.cargo/bin:$PATH"

echo "== lints: rustfmt, clippy (host, and wasm32 as shipped and as tested)"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings
cargo clippy --quiet --lib --test browser --target wasm32-unknown-unknown -- -D warnings

echo "== session core, engine, settings, wire format (native, fake clock)"
cargo test --quiet --tests --lib

echo "== the shared vocabulary (autologoff-protocol) and the gateway: lints, vectors, rules with a fake clock, both stores, two instances"
cargo fmt --all --check
cargo clippy --quiet -p autologoff-protocol -p autologoff-gateway --all-targets -- -D warnings
# The vocabulary is no_std: it builds for the page's target as the module uses it.
cargo clippy --quiet -p autologoff-protocol --target wasm32-unknown-unknown -- -D warnings
cargo test --quiet -p autologoff-protocol -p autologoff-gateway

echo "== build (what ships), and the size ratchet"
node scripts/build.mjs
node scripts/size-check.mjs

echo "== TypeScript types of the npm package, and the shipped JS checked by TypeScript"
node_modules/.bin/tsc -p tests/types/tsconfig.json
node_modules/.bin/tsc -p tests/types/js.tsconfig.json

echo "== the shared JS alone (node): the fallback's rules against the module's vectors, cookie writes"
node --test tests/js/

echo "== autologoff-server: the core (fake clock), both adapters, two instances on one redis-server, types"
node --test --test-concurrency=1 server/test/
node_modules/.bin/tsc -p server/test/types/tsconfig.json

# wasm-bindgen-test-runner picks the browser from the driver variable that is set: one per run.
# scripts/wasm-test.mjs sets it, and puts a proxy between the browser and the runner's server,
# whose thread pool can leave the page's script unread for ever (the file says why). The adapters
# run one engine at a time, before the lanes below: each run is a `cargo test`, and cargo holds
# the target directory's lock while it builds.
echo "== adapters (wasm-bindgen-test in headless Chromium)"
node scripts/wasm-test.mjs chromium

echo "== adapters (wasm-bindgen-test in headless Firefox ESR)"
node scripts/wasm-test.mjs firefox

# WebKit: wasm-bindgen-test-runner has no WebKitGTK driver of its own, but its Safari driver is
# plain W3C WebDriver and WebKitWebDriver answers it. SAFARIDRIVER makes the runner start
# WebKitWebDriver with only --port (SAFARIDRIVER_ARGS would add more), and for Safari it sends
# empty capabilities and ignores webdriver.json (wasm-bindgen-cli 0.2.130,
# src/wasm_bindgen_test_runner/headless.rs, Client::new_session); WebKitWebDriver then starts
# its default browser, MiniBrowser from libwebkit2gtk-4.1-0 with --automation (WebKit's
# WebDriverServiceGtk.cpp). MiniBrowser has no headless mode: with-display.mjs runs the whole
# command on an Xvfb display of its own and kills whatever is left when it ends. The runner
# prints "Safari"; the browser is WebKitGTK's MiniBrowser.
echo "== adapters (wasm-bindgen-test in WebKit: MiniBrowser on Xvfb)"
env -u CHROMEDRIVER -u GECKODRIVER SAFARIDRIVER="${WEBKITWEBDRIVER:-/usr/bin/WebKitWebDriver}" WASM_BINDGEN_TEST_TIMEOUT=120 \
  node tests/webkit/with-display.mjs cargo test --target wasm32-unknown-unknown --test browser

# The end-to-end suites, one lane per engine, the lanes side by side. A test spends most of its
# time waiting for a session's deadline, not computing, so three browsers share two cores. Each
# lane has its own servers, ports, redis-server and X display; its output is kept and printed
# whole when it ends. AUTOLOGOFF_TEST_LANES=1 runs the lanes one after another, printing as they
# go. The one test that loads both cores on purpose skips itself in the lanes
# (AUTOLOGOFF_SIDE_BY_SIDE) and runs on its own after them.

lane_chromium() {
  echo "== end to end in Chromium (Playwright against the demo portal)"
  node --test --test-concurrency=1 tests/e2e/

  echo "== end to end in Chromium against the cluster (two instances on one redis-server behind a round-robin proxy): the main path, the multi-tab scenarios"
  AUTOLOGOFF_SERVER=cluster AUTOLOGOFF_SCENARIOS=main-path,multi-tab node --test --test-concurrency=1 tests/e2e/main-path.test.mjs tests/e2e/scenarios.test.mjs

  echo "== the gateway over HTTP, the conformance kit against it (memory; two instances on one redis-server), Chromium end to end through it"
  node --test --test-concurrency=1 tests/gateway/
}

lane_firefox() {
  # The conformance kit against the Express and Fastify middleware and a Redis cluster (it must
  # pass) and against two faulty servers (it must fail); issue 20's symptoms against the demo as
  # npm start runs it, and against the demo as it was (each must fail there). No browser: it
  # rides in the shortest lane, first, so a browser test's failure cannot hide its result.
  echo "== the protocol: conformance runs, issue 20's symptoms"
  node --test --test-concurrency=1 tests/conformance.test.mjs tests/symptoms.test.mjs tests/symptoms-before.test.mjs

  # Not tests/e2e/main-path.test.mjs (its one test pauses a page through the Chrome DevTools
  # Protocol) nor accessibility.test.mjs (Chromium's accessibility snapshot, emulated media and
  # touch): the main path and the accessibility scenarios are in tests/scenarios/.
  echo "== end to end in Firefox ESR (the field reports, the scenarios written once: the main path, accessibility, tabs, termination, …)"
  AUTOLOGOFF_BROWSER=firefox node --test --test-concurrency=1 tests/e2e/field.test.mjs tests/e2e/scenarios.test.mjs
}

# WebKit (Safari's engine) through WebDriver classic: tests/webkit/ starts Xvfb and
# WebKitWebDriver itself. A TODO in its output is a known WebKit difference autologoff does not
# handle yet (each says why); it does not fail the run.
lane_webkit() {
  echo "== end to end in WebKit (MiniBrowser on Xvfb)"
  node --test --test-concurrency=1 tests/webkit/
}

# A name pattern that matches nothing passes with nothing run: each run must report one pass.
apart() {
  echo "== under CPU load, on its own: exactly one logout request for five tabs expiring together (Chromium, Firefox ESR)"
  local browser out
  for browser in chromium firefox; do
    out=$(AUTOLOGOFF_BROWSER=$browser node --test --test-concurrency=1 --test-name-pattern="under CPU load" tests/e2e/field.test.mjs) || { echo "$out"; return 1; }
    echo "$out"
    grep -q '^# pass 1$' <<<"$out" || { echo "the test under CPU load did not run in $browser (renamed?)" >&2; return 1; }
  done
}

LANES=(chromium firefox webkit)
if [ "${AUTOLOGOFF_TEST_LANES:-3}" = 1 ]; then
  # One after another: the test under CPU load runs in place.
  export AUTOLOGOFF_SIDE_BY_SIDE=0
  for lane in "${LANES[@]}"; do "lane_$lane"; done
  exit 0
fi
export AUTOLOGOFF_SIDE_BY_SIDE=1
logs=$(mktemp -d)
declare -A pid
printed=()
# Interrupted or failed: every lane's process group goes (its node, browsers, Xvfb and
# redis-server with it), and what a lane printed that is not shown yet is shown.
on_exit() {
  local lane
  for lane in "${!pid[@]}"; do kill -- -"${pid[$lane]}" 2>/dev/null || true; done
  for lane in "${LANES[@]}"; do
    if [ -f "$logs/$lane.log" ] && [[ " ${printed[*]} " != *" $lane "* ]]; then
      echo "== (lane $lane, interrupted)"
      cat "$logs/$lane.log"
    fi
  done
  rm -rf "$logs"
}
trap on_exit EXIT
# Each lane in a process group of its own (job control), so that one kill reaches all of it.
set -m
for lane in "${LANES[@]}"; do
  # errexit holds inside the lane: the subshell is not part of a condition.
  ( set -e; from=$SECONDS; "lane_$lane"; echo "   (lane $lane: $((SECONDS - from)) s, side by side with the others)" ) >"$logs/$lane.log" 2>&1 &
  pid[$lane]=$!
done
set +m
failed=()
for lane in "${LANES[@]}"; do
  rc=0
  wait "${pid[$lane]}" || rc=$?
  cat "$logs/$lane.log"
  printed+=("$lane")
  [ "$rc" = 0 ] || { echo "   (lane $lane FAILED: exit $rc)"; failed+=("$lane"); }
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED lanes: ${failed[*]} (each lane's output is above, in full)" >&2
  exit 1
fi
AUTOLOGOFF_SIDE_BY_SIDE=0 apart
