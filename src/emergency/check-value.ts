/**
 * The check of one field's value: a pure function from what was typed to the value the statement
 * gets, or the reason it is refused.
 */
import { unsafeCharacter } from '../model/text.js';
import type { EmergencyTemplateField } from './template-schema.js';

/** What a check says: the value to use, or what is wrong with it. */
export type CheckedValue =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: string };

/** The offset statements are dated in when a time is written without one (Asia/Shanghai). */
export const HALL_OFFSET = '+08:00';

/** The most characters of a `text` field unless the template says otherwise. */
export const DEFAULT_MAX_LENGTH = 200;

const TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/u;

/** Sentence marks a text value may end with; the template writes the punctuation it needs. */
const CLOSING_MARKS = /[。．.；;，,、\s]+$/u;

const refuse = (problem: string): CheckedValue => ({ ok: false, problem });

/** An ISO 8601 time, normalised to seconds and an offset (`+08:00` when none was written). */
export function normaliseTime(raw: string): CheckedValue {
  const match = TIME.exec(raw);
  if (match === null) {
    return refuse(
      'expected an ISO 8601 time such as 2026-11-26T09:30:00+08:00 (without an offset it is Beijing time)',
    );
  }
  const [, year, month, day, hour, minute, second = '00', zone] = match;
  const offset =
    zone === undefined
      ? HALL_OFFSET
      : zone === 'Z'
        ? 'Z'
        : zone.replace(/^([+-]\d{2})(\d{2})$/u, '$1:$2');
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}${offset}`;
  const time = new Date(iso);
  // A day or hour out of range (2026-02-30, 25:00) is not a time, whatever Date makes of it.
  const local = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (
    Number.isNaN(time.getTime()) ||
    local.getUTCDate() !== Number(day) ||
    local.getUTCMonth() !== Number(month) - 1 ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  ) {
    return refuse('is not a date and time that exists: check the day, the hour and the minutes');
  }
  return { ok: true, value: iso };
}

function checkNumber(field: EmergencyTemplateField, raw: string): CheckedValue {
  // Full-width digits (５.２) are the same number.
  const text = raw.normalize('NFKC');
  const pattern = field.type === 'integer' ? /^-?\d+$/u : /^-?\d+(?:\.\d+)?$/u;
  if (!pattern.test(text)) {
    return refuse(
      field.type === 'integer'
        ? 'expected a whole number in digits'
        : 'expected a number in digits, such as 5.2 (no unit: the template writes it)',
    );
  }
  const number = Number(text);
  if (field.min !== undefined && number < field.min) {
    return refuse(`expected at least ${field.min}`);
  }
  if (field.max !== undefined && number > field.max) {
    return refuse(`expected at most ${field.max}`);
  }
  return { ok: true, value: text };
}

function checkUrl(raw: string): CheckedValue {
  if (!URL.canParse(raw) || !/^https?:$/u.test(new URL(raw).protocol)) {
    return refuse('expected an absolute http(s) link, such as https://www.beijing.gov.cn/…');
  }
  return { ok: true, value: raw };
}

/**
 * Checks what was typed for one field. Every value is trimmed, normalised to NFC and refused when
 * it holds an invisible or reordering character, as every text of a statement is; a `text` value
 * must be one line and loses its closing full stop (the template writes the punctuation).
 */
export function checkValue(field: EmergencyTemplateField, typed: string): CheckedValue {
  const unsafe = unsafeCharacter(typed);
  if (unsafe !== undefined) return refuse(`holds ${unsafe}: remove it (paste it as plain text)`);
  const raw = typed.normalize('NFC').trim();
  if (raw === '') return refuse('is empty');
  switch (field.type) {
    case 'number':
    case 'integer':
      return checkNumber(field, raw);
    case 'time':
      return normaliseTime(raw);
    case 'url':
      return checkUrl(raw);
    case 'choice': {
      const choices = field.choices ?? [];
      return choices.includes(raw)
        ? { ok: true, value: raw }
        : refuse(`expected one of ${choices.join(', ')}`);
    }
    case 'text': {
      if (/[\r\n\u2028\u2029]/u.test(raw)) {
        return refuse('expected one line: a value goes into a sentence of the statement');
      }
      const value = raw.replace(CLOSING_MARKS, '');
      if (value === '') return refuse('holds only punctuation');
      const max = field.maxLength ?? DEFAULT_MAX_LENGTH;
      if ([...value].length > max) {
        return refuse(`expected at most ${max} characters, got ${[...value].length}: shorten it`);
      }
      return { ok: true, value };
    }
  }
}
