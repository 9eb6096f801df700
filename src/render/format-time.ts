/**
 * Statement times, always shown in Asia/Shanghai whatever offset the statement was written with.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { zhCN } from 'date-fns/locale/zh-CN';

/** The time zone statements are dated in. */
export const HALL_TIME_ZONE = 'Asia/Shanghai';

/**
 * How a time is written: `short` (11月26日9时30分) in short posts, `full` (2026年11月26日 9时30分)
 * in full texts and articles.
 */
export type TimeStyle = 'short' | 'full';

const PATTERNS: Readonly<Record<TimeStyle, string>> = {
  short: 'M月d日H时mm分',
  full: 'yyyy年M月d日 H时mm分',
};

/**
 * Formats a statement time in Asia/Shanghai with the zh-CN locale.
 *
 * @example
 * formatStatementTime('2026-11-26T01:30:00Z'); // '11月26日9时30分'
 * formatStatementTime('2026-11-26T09:30:00+08:00', 'full'); // '2026年11月26日 9时30分'
 */
export function formatStatementTime(iso: string, style: TimeStyle = 'short'): string {
  return format(new TZDate(new Date(iso).getTime(), HALL_TIME_ZONE), PATTERNS[style], {
    locale: zhCN,
  });
}
