'use client';
// The README's React example, as is, with short times so the test sees the whole path in seconds.
import { useEffect } from 'react';
import { start, stop } from 'autologoff';

export default function AutoLogoff() {
  useEffect(() => {
    start({ timeout: '4s', warning: '2s', logoutUrl: '/logout', redirectUrl: '/login?reason=timeout' }).catch(console.error);
    return () => stop();
  }, []);
  return null;
}
