// Demo page glue: shows the session state and time left, and wires the Log out button.
// (Not part of autologoff; a portal would do something similar, or nothing at all.)
const stateEl = document.getElementById('state');
const leftEl = document.getElementById('left');

function wire(session) {
  const show = () => {
    stateEl.textContent = session.state;
    const s = Math.ceil(session.remainingMs / 1000);
    leftEl.textContent = session.state === 'active' || session.state === 'warning' ? `${s} s left if idle` : '';
  };
  show();
  setInterval(show, 1000);
  for (const name of ['autologoff:warning', 'autologoff:extend', 'autologoff:logout']) {
    document.addEventListener(name, show);
  }
  document.getElementById('logout').addEventListener('click', () => session.logout());
}

const api = window.autologoff;
if (api) api.ready.then(wire, (error) => (stateEl.textContent = 'failed: ' + error.message));

