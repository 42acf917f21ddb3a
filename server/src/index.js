// autologoff-server: the framework-free parts. The adapters are './express' and './fastify'.
export * from './core/index.js';
export { MemoryStore } from './memory-store.js';
export { StoreUnavailableError } from './runtime.js';
export { jsonLinesFile, jsonLinesStream, memorySink } from './audit-sink.js';
export { attributes, dataAttributes, scriptTag, csrfMeta } from './render.js';
