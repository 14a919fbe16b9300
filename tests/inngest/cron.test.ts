import { describe, expect, it } from 'vitest';
import { CronParseError, cronMatches, parseCron, sleepUntil } from '@/inngest/runner';

const at = (iso: string) => new Date(iso);

describe('cron matcher', () => {
  it('matches steps, ranges, lists and names', () => {
    expect(cronMatches('*/15 * * * *', at('2030-03-04T10:45:00Z'))).toBe(true);
    expect(cronMatches('*/15 * * * *', at('2030-03-04T10:46:00Z'))).toBe(false);
    expect(cronMatches('0 9-17/4 * * *', at('2030-03-04T13:00:00Z'))).toBe(true);
    expect(cronMatches('0 9-17/4 * * *', at('2030-03-04T11:00:00Z'))).toBe(false);
    expect(cronMatches('30 2 1,15 jan,jun *', at('2030-06-15T02:30:00Z'))).toBe(true);
    expect(cronMatches('30 2 1,15 jan,jun *', at('2030-07-15T02:30:00Z'))).toBe(false);
  });

  it('treats 7 as Sunday and ORs day-of-month with day-of-week when both are set', () => {
    // 2030-03-03 is a Sunday
    expect(cronMatches('0 0 * * 7', at('2030-03-03T00:00:00Z'))).toBe(true);
    expect(cronMatches('0 0 * * sun', at('2030-03-03T00:00:00Z'))).toBe(true);
    expect(cronMatches('0 0 13 * fri', at('2030-03-13T00:00:00Z'))).toBe(true);
    expect(cronMatches('0 0 13 * fri', at('2030-03-08T00:00:00Z'))).toBe(true);
    expect(cronMatches('0 0 13 * fri', at('2030-03-09T00:00:00Z'))).toBe(false);
  });

  it('knows macros and time zones', () => {
    expect(cronMatches('@daily', at('2030-03-04T00:00:30Z'))).toBe(true);
    expect(cronMatches('@hourly', at('2030-03-04T05:01:00Z'))).toBe(false);
    // 09:00 in Paris is 08:00 UTC in winter
    expect(cronMatches('TZ=Europe/Paris 0 9 * * *', at('2030-01-10T08:00:00Z'))).toBe(true);
    expect(cronMatches('TZ=Europe/Paris 0 9 * * *', at('2030-01-10T09:00:00Z'))).toBe(false);
  });

  it('rejects malformed expressions', () => {
    for (const bad of ['* * * *', '61 * * * *', '*/0 * * * *', '5-1 * * * *', 'TZ=Nowhere/Land * * * * *', 'x * * * *']) {
      expect(() => parseCron(bad), bad).toThrow(CronParseError);
    }
  });
});

describe('sleep durations', () => {
  it('reads Inngest time strings and ISO dates', () => {
    expect(sleepUntil('1s', 0).getTime()).toBe(1000);
    expect(sleepUntil('1h30m', 0).getTime()).toBe(5_400_000);
    expect(sleepUntil('2d', 0).getTime()).toBe(172_800_000);
    expect(sleepUntil('2030-01-01T00:00:00.000Z').toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(() => sleepUntil('soon')).toThrow();
  });
});
