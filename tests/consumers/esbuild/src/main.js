// esbuild, default (IIFE) output: esbuild does not ship files named by
// `new URL('…', import.meta.url)`, and an IIFE has no import.meta.url. Import the .wasm through
// the file loader (--loader:.wasm=file), which emits it and gives its URL, and pass that URL.
import { start } from 'autologoff';
import wasmUrl from 'autologoff/autologoff_bg.wasm';

start({ wasmUrl, timeout: '4s', warning: '2s', logoutUrl: '/autologoff/logout', redirectUrl: '/login?reason=timeout' });
