/**
 * `release-hall/adapter-kit`: what an adapter needs besides the contract in `release-hall`:
 * the HTTP call (timeouts, abort, redacted URLs, the "may have landed" rule), error mapping,
 * the base options schema, the timeline scan behind `findExisting`, the checks made before a call
 * (credential, rendition format, secrets scrubbed from errors), path formatting for input issues,
 * and redaction helpers. The built-in adapters import only
 * this and the core, so a third-party adapter can do all they do.
 * @packageDocumentation
 */
export * from './http.js';
export * from './map-error.js';
export * from './options.js';
export * from './guards.js';
export * from './scan-timeline.js';
export * from './readiness.js';
export * from './inbox-request.js';
export { invalidInput, platformMessage, toReleaseHallError } from '../errors.js';
export { formatPath } from '../model/issues.js';
export { SECRET_PARAMETERS, redactHeaders, redactUrl } from '../redact.js';
