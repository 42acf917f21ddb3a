#!/usr/bin/env bash
# Every test, in order of speed: the engine natively, the adapters in headless Chromium,
# then the built bundle end to end against the demo portal. Run through `npm test`, which
# runs scripts/setup.sh first.
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

echo "== build (what ships), and the size ratchet"
node scripts/build.mjs
node scripts/size-check.mjs

echo "== TypeScript types of the npm package"
node_modules/.bin/tsc -p tests/types/tsconfig.json

# wasm-bindgen-test-runner picks the browser from the driver variable that is set: one per run.
echo "== adapters (wasm-bindgen-test in headless Chromium)"
env -u GECKODRIVER CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --target wasm32-unknown-unknown --test browser

echo "== adapters (wasm-bindgen-test in headless Firefox ESR)"
env -u CHROMEDRIVER GECKODRIVER="${GECKODRIVER:-$HOME/.cargo/bin/geckodriver}" WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --target wasm32-unknown-unknown --test browser

echo "== end to end in Chromium (Playwright against the demo portal)"
node --test --test-concurrency=1 tests/e2e/

echo "== end to end in Firefox ESR (the main path, the multi-tab scenarios, frames and the preload hint)"
AUTOLOGOFF_BROWSER=firefox node --test --test-concurrency=1 tests/e2e/main-path.test.mjs tests/e2e/multi-tab.test.mjs
AUTOLOGOFF_BROWSER=firefox node --test --test-concurrency=1 --test-name-pattern="same-origin frame|preload hint" tests/e2e/accessibility.test.mjs
