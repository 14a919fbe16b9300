/** A 5-field cron matcher (minute hour day-of-month month day-of-week), with an optional `TZ=Zone ` prefix. */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface Field {
  values: Set<number>;
  any: boolean;
}

export interface CronSchedule {
  expression: string;
  timeZone?: string;
  minute: Field;
  hour: Field;
  dayOfMonth: Field;
  month: Field;
  dayOfWeek: Field;
}

export class CronParseError extends Error {}

function parseField(text: string, min: number, max: number, names?: string[], nameBase = 0): Field {
  const values = new Set<number>();
  const toNumber = (s: string): number => {
    const lower = s.toLowerCase();
    const named = names?.indexOf(lower) ?? -1;
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new CronParseError(`"${s}" is out of range ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronParseError(`bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = toNumber(a);
      hi = toNumber(b);
      if (lo > hi) throw new CronParseError(`bad range "${range}"`);
    } else {
      lo = toNumber(range);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, any: text === '*' };
}

export function parseCron(expression: string): CronSchedule {
  let text = expression.trim();
  let timeZone: string | undefined;
  const tz = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(text);
  if (tz) {
    timeZone = tz[1];
    text = tz[2].trim();
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
    } catch {
      throw new CronParseError(`unknown time zone "${timeZone}"`);
    }
  }
  text = MACROS[text.toLowerCase()] ?? text;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new CronParseError(`"${expression}" must have 5 fields`);
  const dayOfWeek = parseField(parts[4], 0, 7, DAYS);
  if (dayOfWeek.values.has(7)) {
    dayOfWeek.values.delete(7);
    dayOfWeek.values.add(0);
  }
  return {
    expression,
    timeZone,
    minute: parseField(parts[0], 0, 59),
    hour: parseField(parts[1], 0, 23),
    dayOfMonth: parseField(parts[2], 1, 31),
    month: parseField(parts[3], 1, 12, MONTHS, 1),
    dayOfWeek,
  };
}

function fieldsAt(date: Date, timeZone?: string) {
  if (!timeZone) {
    return {
      minute: date.getUTCMinutes(),
      hour: date.getUTCHours(),
      day: date.getUTCDate(),
      month: date.getUTCMonth() + 1,
      weekday: date.getUTCDay(),
    };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    minute: 'numeric',
    hour: 'numeric',
    day: 'numeric',
    month: 'numeric',
    weekday: 'short',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    minute: Number(get('minute')),
    hour: Number(get('hour')),
    day: Number(get('day')),
    month: Number(get('month')),
    weekday: DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3)),
  };
}

/** Whether the schedule fires in the minute containing `date` (UTC unless the expression names a zone). */
export function cronMatches(schedule: CronSchedule | string, date: Date): boolean {
  const s = typeof schedule === 'string' ? parseCron(schedule) : schedule;
  const f = fieldsAt(date, s.timeZone);
  if (!s.minute.values.has(f.minute) || !s.hour.values.has(f.hour) || !s.month.values.has(f.month)) return false;
  const dom = s.dayOfMonth.values.has(f.day);
  const dow = s.dayOfWeek.values.has(f.weekday);
  // classic cron: when both day fields are restricted, either may match
  if (!s.dayOfMonth.any && !s.dayOfWeek.any) return dom || dow;
  return dom && dow;
}
