/**
 * release-hall: fan one statement out across a release hall of government accounts.
 * @packageDocumentation
 */
export * from './adapter.js';
export * from './errors.js';
export * from './events.js';
export * from './logger.js';
export * from './redact.js';
export * from './http/request.js';
export * from './model/hall.js';
export * from './model/statement.js';
export * from './run/types.js';
