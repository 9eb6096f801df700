import type { Redactor } from './redact.js';

/** Fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger. Whatever it receives is redacted before it reaches the sink. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Where log lines go. */
export type LogSink = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields: LogFields,
) => void;

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A logger that scrubs every message and field with `redactor`, then hands it to `sink`. */
export function createRedactingLogger(
  sink: LogSink,
  redactor: Redactor,
  base: LogFields = {},
): Logger {
  const emit =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: LogFields = {}): void => {
      sink(level, redactor.string(message), redactor.deep({ ...base, ...fields }));
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
