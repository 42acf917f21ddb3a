// The pure core of autologoff-server: decisions in, decisions out, time as an input. The Express
// and Fastify adapters perform what it decides; a server in another language can follow it too.
export { parseDuration, formatDuration } from './duration.js';
export { judge, throttleFor, deadlineOf, KINDS } from './judge.js';
export { parseConfig, ConfigError } from './config.js';
export { isNavigation, wantsRedirect, crossOrigin, originOf, sameSecret, pathMatcher } from './request.js';
export { checkEvent, judgeBatch, envelope, serverEvent, CLIENT_TYPES, SERVER_TYPES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_STRING_CHARS } from './audit.js';
export { newRecord, isRecord, assess, tombstoneFor, publicIdHash, names, limitsOf, PUBLIC_ID } from './session.js';
export { keepalive, status, logout, logoutTarget, audit, readForm, ENDPOINTS } from './endpoints.js';
export { route, routeMatchers, kindOf } from './routes.js';
