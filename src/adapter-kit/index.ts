/**
 * `release-hall/adapter-kit`: what an adapter needs besides the contract in `release-hall`:
 * the HTTP call (timeouts, abort, redacted URLs, the "may have landed" rule), error mapping,
 * path formatting for input issues, and redaction helpers. The built-in adapters import only
 * this and the core, so a third-party adapter can do all they do.
 * @packageDocumentation
 */
export * from './http.js';
export * from './map-error.js';
export { invalidInput, platformMessage, toReleaseHallError } from '../errors.js';
export { formatPath } from '../model/issues.js';
export { SECRET_PARAMETERS, redactHeaders, redactUrl } from '../redact.js';
