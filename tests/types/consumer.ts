// Compiled with `tsc --noEmit` by the test suite: the package's types must accept what the
// README shows and refuse what is wrong (each @ts-expect-error must be an error, or tsc fails).
import { start, type AutologoffOptions, type Session, type SessionState } from '../../pkg/index.js';

const options: AutologoffOptions = {
  timeout: '15m',
  warning: 60_000,
  logoutUrl: '/logout',
  redirectUrl: '/login?reason=timeout',
  logoutWait: '3s',
  dialogTitle: 'Still there?',
  dialogMessage: 'You will be signed out soon.',
  lang: 'es',
  channel: 'records',
  absoluteTimeout: '12h',
  sessionStart: Date.now(),
  keepaliveUrl: '/keepalive',
  keepaliveInterval: '5m',
  csrfToken: 'abc',
  keepStorageKeys: ['theme'],
  unregisterServiceWorkers: true,
  concealDuringWarning: false,
  auditUrl: '/audit',
};

export async function main(): Promise<void> {
  const session: Session = await start(options);
  const state: SessionState = session.state;
  const left: number = session.remainingMs;
  const extended: boolean = session.extend();
  session.logout();
  session.stop();
  document.addEventListener('autologoff:logout', (e) => {
    const reason: 'idle' | 'absolute' | 'user' | 'peer' | 'server' | 'replaced' = e.detail.reason;
    console.log(reason, state, left, extended);
  });
  document.addEventListener('autologoff:warning', (e) => console.log(e.detail.remainingMs.toFixed(0)));
  document.addEventListener('autologoff:audit', (e) => console.log(e.detail.type, e.detail.policy.absolute));

  // @ts-expect-error: a boolean is not a duration
  await start({ timeout: true });
  // @ts-expect-error: unknown option
  await start({ timout: '5m' });
  // @ts-expect-error: keepStorageKeys is a list
  await start({ keepStorageKeys: 'theme' });
  // wasmUrl (the JS entry's own option): where the .wasm is served, as a string or a URL
  await start({ ...options, wasmUrl: '/assets/autologoff_bg.wasm' });
  await start({ wasmUrl: new URL('/assets/autologoff_bg.wasm', location.href) });
  // @ts-expect-error: wasmUrl is a string or a URL
  await start({ wasmUrl: 5 });
  // @ts-expect-error: state is read-only
  session.state = 'active';
}
