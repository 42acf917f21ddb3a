#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need, and nothing twice.
# Idempotent: on a machine that has it all, it only checks and prints nothing.
# --twiggy also installs twiggy, for `npm run size -- --breakdown` (which asks for it when missing).
set -euo pipefail
want_twiggy=0
for arg in "$@"; do
  case "$arg" in
    --twiggy) want_twiggy=1 ;;
    *) printf 'setup: unknown argument %s (known: --twiggy)\n' "$arg" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'setup: %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The lint gates in scripts/test.sh: rustfmt and clippy come with rustup's default profile, but
# not with every installation.
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly. Not --locked: one of
# its dependencies is not served here at the locked version.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found '${have:-none}'; takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$want"
fi

# Debian's Chromium and its driver, Firefox ESR and WebKitGTK: the tests' browsers. Nothing
# downloads a browser of its own.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
[ -x /usr/lib/firefox-esr/firefox-esr ] || missing+=(firefox-esr)
# openssl makes the self-signed certificate of the https end-to-end test.
command -v openssl >/dev/null || missing+=(openssl)
# WebKit (Safari's engine): WebKitGTK's WebDriver, which brings libwebkit2gtk-4.1-0 and its
# MiniBrowser (no headless mode, hence an X server of its own, Xvfb).
command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
dpkg -L libwebkit2gtk-4.1-0 2>/dev/null | grep '/MiniBrowser$' >/dev/null || missing+=(libwebkit2gtk-4.1-0)
command -v Xvfb >/dev/null || missing+=(xvfb)
# Redis (Debian's redis-server, 7.0 on bookworm): the tests of autologoff-server and of
# autologoff-gateway, and the cluster demo start their own on a free loopback port; nothing runs it as a service.
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # Another setup (another checkout) may be installing at the same time: wait for its lock.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi

# geckodriver, for wasm-bindgen-test in Firefox: built from crates.io (no binary download).
GECKODRIVER_VERSION=0.37.1
if [ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 { print $2 }')" != "$GECKODRIVER_VERSION" ]; then
  say "installing geckodriver $GECKODRIVER_VERSION (takes a few minutes)"
  cargo install geckodriver --version "$GECKODRIVER_VERSION"
fi

# npm packages exactly as locked (esbuild, binaryen's wasm-opt, playwright-core, selenium-webdriver;
# express, connect-redis and redis for the demo; autologoff-server and autologoff-conformance
# linked from server/ and conformance/, with their development dependencies).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
fi

# twiggy (the .wasm by function, for the size breakdown): only when asked.
TWIGGY_VERSION=0.8.0
if [ "$want_twiggy" = 1 ] && [ "$(twiggy --version 2>/dev/null | awk '{ print $2 }')" != "$TWIGGY_VERSION" ]; then
  say "installing twiggy $TWIGGY_VERSION (takes about 2 minutes)"
  cargo install twiggy --version "$TWIGGY_VERSION"
fi
