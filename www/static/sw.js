// An empty service worker, so tests can check that logout unregisters service workers.
self.addEventListener('install', () => self.skipWaiting());
