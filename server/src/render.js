// What a page of the session is given (docs/protocol.md section 2): the script tag's data-*
// attributes and the CSRF meta tag, from the server's configuration and the session's record,
// never from the request.
import { ConfigError, formatDuration } from './core/index.js';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * The attributes for the page of `record` (a live session). `overrides` ({ timeout, warning,
 * keepaliveInterval } in ms) let the portal's own code choose a shorter client policy; they are
 * checked against the session's idle limit like the configuration is.
 */
export function attributes(config, record, overrides = {}) {
  const idle = Math.min(record.idle, config.idle);
  const keepaliveInterval = overrides.keepaliveInterval ?? config.keepaliveInterval;
  const timeout = overrides.timeout ?? Math.min(config.clientTimeout, Math.max(idle - keepaliveInterval, 1));
  const warning = overrides.warning ?? Math.min(config.warning, Math.floor(timeout / 2));
  if (timeout + keepaliveInterval > idle) {
    throw new ConfigError('timeout', `(${formatDuration(timeout)}) plus keepaliveInterval (${formatDuration(keepaliveInterval)}) is longer than this session's idle limit (${formatDuration(idle)}): the page must log off first`);
  }
  const a = {
    'session-id': record.publicId,
    timeout: String(timeout),
    warning: String(warning),
    'keepalive-url': config.endpoints.keepalive,
    'keepalive-interval': String(keepaliveInterval),
    'status-url': config.endpoints.status,
    'logout-url': config.endpoints.logout,
    'audit-url': config.endpoints.audit,
    'redirect-url': config.signInPath + '?reason=timeout',
    'absolute-timeout': String(Math.min(record.absolute, config.absolute)),
    'session-start': String(record.created),
  };
  if (config.csrfHeader !== 'x-csrf-token') a['csrf-header'] = config.csrfHeaderName;
  return a;
}

/** ` data-a="…" data-b="…"`, escaped. */
export function dataAttributes(attrs) {
  return Object.entries(attrs).map(([k, v]) => ` data-${k}="${esc(v)}"`).join('');
}

/** The script tag that starts autologoff on the page. */
export function scriptTag(config, record, src, overrides) {
  return `<script src="${esc(src)}"${dataAttributes(attributes(config, record, overrides))}></script>`;
}

/** The CSRF meta tag autologoff reads. */
export function csrfMeta(record) {
  return `<meta name="csrf-token" content="${esc(record.csrf)}">`;
}
