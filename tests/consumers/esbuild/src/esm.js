// esbuild with --format=esm: import.meta.url is the bundle's own URL, so the package finds
// autologoff_bg.wasm next to the bundle; the build copies it there. No code change.
import { start } from 'autologoff';

start({ timeout: '4s', warning: '2s', logoutUrl: '/autologoff/logout', redirectUrl: '/login?reason=timeout' });
