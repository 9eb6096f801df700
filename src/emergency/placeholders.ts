/**
 * `{{field}}` placeholders: finding them in a template's statement and filling them, in one pass,
 * so a value that itself holds `{{…}}` is written as it is and never read as a placeholder.
 */
import type { EmergencyFieldType } from './template-schema.js';

/** `{{name}}`, or `{{name|format}}` for a time (`full`, `iso`). */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\|\s*([a-z]+)\s*)?\}\}/gu;

/** How a time is written in the statement: `short` 11月26日9时30分 (default), `full`, `iso`. */
export const TIME_FORMATS = ['short', 'full', 'iso'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

/** One placeholder as written. */
export interface Placeholder {
  readonly name: string;
  readonly format: string | undefined;
}

/** Every placeholder of a text, in order. */
export function placeholdersOf(text: string): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => ({
    name: match[1] ?? '',
    format: match[2],
  }));
}

/** Braces left over once every placeholder is taken out: a placeholder written wrong. */
export function strayBraces(text: string): boolean {
  return /\{\{|\}\}/u.test(text.replace(PLACEHOLDER, ''));
}

/** Whether `format` may follow a field of this type. */
export function formatAllowed(type: EmergencyFieldType, format: string | undefined): boolean {
  if (format === undefined) return true;
  return type === 'time' && (TIME_FORMATS as readonly string[]).includes(format);
}

/** The text with each placeholder replaced by `valueOf(name, format)`, in one pass. */
export function fillPlaceholders(
  text: string,
  valueOf: (name: string, format: string | undefined) => string,
): string {
  return text.replace(PLACEHOLDER, (_whole, name: string, format: string | undefined) =>
    valueOf(name, format),
  );
}

/** True when the text holds placeholders and, besides them, nothing but punctuation and spaces. */
export function onlyPlaceholders(text: string): boolean {
  return placeholdersOf(text).length > 0 && /^[\s\p{P}]*$/u.test(text.replace(PLACEHOLDER, ''));
}
