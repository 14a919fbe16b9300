import { describe, expect, it, vi } from 'vitest';
import { InngestTestEngine } from '@inngest/test';
import { EventValidationError, inngest, personaSetBuilt, personaSetRequested, sendEvent } from '@/inngest/client';
import { takeCapturedEvents } from '@/inngest/runner';

/**
 * The pattern for testing a function's step logic in-process with @inngest/test.
 * It does not model retries, sleeps or sendEvent (mock those); the runner tests cover them.
 */
const summarizeBuild = inngest.createFunction(
  { id: 'summarize-build-demo', triggers: [personaSetRequested] },
  async ({ event, step }) => {
    const members = await step.run('count-members', () => 1200);
    const k = await step.run('choose-k', () => (members > 1000 ? 5 : 3));
    await step.sendEvent(
      'emit-built',
      personaSetBuilt.create({ accountId: event.data.accountId, personaSetId: event.data.personaSetId, buildVersion: event.data.buildVersion }),
    );
    return { members, k };
  },
);

const event = {
  name: 'persona-set/requested',
  data: { accountId: 'acct', personaSetId: 'set-1', buildVersion: 2 },
} as const;

describe('@inngest/test engine', () => {
  it('runs a function to completion with its real steps', async () => {
    const t = new InngestTestEngine({
      function: summarizeBuild,
      events: [event],
      // step.sendEvent and step.sleep are not modelled: mock them
      steps: [{ id: 'emit-built', handler: () => ({ ids: ['evt-1'] }) }],
    });
    const { result, ctx } = await t.execute();
    expect(result).toEqual({ members: 1200, k: 5 });
    expect(ctx.step.sendEvent).toHaveBeenCalledWith(
      'emit-built',
      expect.objectContaining({ name: 'persona-set/built', data: { accountId: 'acct', personaSetId: 'set-1', buildVersion: 2 } }),
    );
  });

  it('mocks a step', async () => {
    const t = new InngestTestEngine({
      function: summarizeBuild,
      events: [event],
      steps: [
        { id: 'count-members', handler: () => 10 },
        { id: 'emit-built', handler: () => ({ ids: [] }) },
      ],
    });
    const { result } = await t.execute();
    expect(result).toEqual({ members: 10, k: 3 });
  });

  it('runs up to one step', async () => {
    const t = new InngestTestEngine({ function: summarizeBuild, events: [event] });
    const { result } = await t.executeStep('choose-k');
    expect(result).toBe(5);
  });
});

describe('sendEvent', () => {
  it('validates the data against the event schema before sending', async () => {
    const spy = vi.spyOn(inngest, 'send');
    await expect(
      sendEvent('persona-set/scoring-requested', { accountId: 'a', personaSetId: 's', scoringRunId: 'r', trigger: 'nightly' as 'adhoc' }),
    ).rejects.toThrow(EventValidationError);
    await expect(sendEvent('dataset/mapping-confirmed', { accountId: '', datasetId: 'd' })).rejects.toThrow('accountId');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('keeps events sent with no runner started (tests only) for assertions', async () => {
    takeCapturedEvents();
    const { ids } = await sendEvent('dataset/mapping-confirmed', { accountId: 'a', datasetId: 'd' }, { id: 'dataset-d' });
    expect(ids).toEqual(['dataset-d']);
    expect(takeCapturedEvents()).toEqual([expect.objectContaining({ id: 'dataset-d', name: 'dataset/mapping-confirmed', data: { accountId: 'a', datasetId: 'd' } })]);
  });
});
