// The README's npm example, with short times so the test sees the whole path in seconds.
import { start } from 'autologoff';

start({ timeout: '4s', warning: '2s', logoutUrl: '/autologoff/logout', redirectUrl: '/login?reason=timeout' });
