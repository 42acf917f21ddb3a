// The npm-package flavour of the demo: `import { start } from 'autologoff'`, with the options
// the server rendered as data-* on this script element.
import { start } from '/pkg/index.js';

const me = document.querySelector('script[src="/demo/npm-entry.js"]');
const options = {};
for (const [key, value] of Object.entries(me.dataset)) {
  // Numbers stay numbers so tests can pass ms; everything else is passed as written.
  options[key] = /^\d+$/.test(value) ? Number(value) : value;
}

try {
  const session = await start(options);
  window.demoSession = session;
  document.getElementById('state').textContent = session.state;
  document.getElementById('logout').addEventListener('click', () => session.logout());
  for (const name of ['autologoff:warning', 'autologoff:extend', 'autologoff:logout']) {
    document.addEventListener(name, () => (document.getElementById('state').textContent = session.state));
  }
} catch (error) {
  window.demoStartError = error.message;
  document.getElementById('state').textContent = 'not started: ' + error.message;
  console.error(error);
}
