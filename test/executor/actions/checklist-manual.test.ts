import { describe, expect, it } from 'vitest';
import type { Confirmer } from '../../../executor/actions/action.js';
import { checklistAction } from '../../../executor/actions/checklist.js';
import { manualAction } from '../../../executor/actions/manual.js';
import { ActionError } from '../../../executor/core/errors.js';
import { fakeContext, testGraph } from './context.js';

type Request = Parameters<Confirmer['confirm']>[0];

/** Answers from a script: `refuse` lists questions to refuse; everything else is confirmed by @oncall. */
function confirmer(options: { refuse?: string[]; evidence?: string } = {}): Confirmer & { asked: Request[] } {
  const asked: Request[] = [];
  return {
    asked,
    confirm: async (req) => {
      asked.push(req);
      const confirmed = !(options.refuse ?? []).some((q) => req.question.startsWith(q));
      return { confirmed, by: '@oncall', ...(options.evidence !== undefined ? { evidence: options.evidence } : {}) };
    },
  };
}

const graph = testGraph({
  checklists: {
    'dr-drill': {
      title: 'DR drill',
      sections: [
        { title: 'Pre-drill', items: [{ text: 'Schedule the drill' }, { text: 'RDS reachable', check: 'db-ping' }] },
        { title: 'Post-drill', items: [{ text: 'Write the report' }] },
      ],
    },
  },
  roles: {
    'incident-commander': {
      title: 'Incident commander',
      primary: { id: 'john', name: 'John Doe' },
      backup: { id: 'jane', name: 'Jane Smith' },
    },
  },
});

describe('checklist', () => {
  it('confirms each item with a person, or with its check step when that succeeded', async () => {
    const people = confirmer();
    const { ctx, rec } = fakeContext({
      graph,
      confirmer: people,
      context: { steps: { 'db-ping': { status: 'succeeded' } } },
    });
    const result = await checklistAction.run({ checklist: 'dr-drill', section: 'Pre-drill' }, ctx);
    expect(result.items).toEqual([
      { text: 'Schedule the drill', section: 'Pre-drill', confirmed: true, by: '@oncall' },
      { text: 'RDS reachable', section: 'Pre-drill', confirmed: true, by: 'step:db-ping' },
    ]);
    expect(people.asked.map((a) => a.question)).toEqual(['Schedule the drill']);
    expect(rec.events).toEqual([
      {
        type: 'checklist:item',
        data: { stepId: 'step-1', section: 'Pre-drill', text: 'Schedule the drill', confirmedBy: '@oncall' },
      },
      {
        type: 'checklist:item',
        data: {
          stepId: 'step-1',
          section: 'Pre-drill',
          text: 'RDS reachable',
          confirmedBy: 'step:db-ping',
          check: 'db-ping',
        },
      },
    ]);
  });

  it('asks a person when the bound check did not succeed', async () => {
    const people = confirmer();
    const { ctx } = fakeContext({ graph, confirmer: people, context: { steps: { 'db-ping': { status: 'failed' } } } });
    const result = await checklistAction.run({ items: [{ text: 'RDS reachable', check: 'db-ping' }] }, ctx);
    expect(result.items).toEqual([{ text: 'RDS reachable', confirmed: true, by: '@oncall' }]);
    expect(people.asked[0].question).toBe('RDS reachable (check step db-ping: failed)');
  });

  it('fails without retry at the first unconfirmed item and asks nothing after it', async () => {
    const people = confirmer({ refuse: ['Notify'] });
    const { ctx, rec } = fakeContext({ graph, confirmer: people });
    const error = (await checklistAction
      .run({ items: ['Book the room', 'Notify participants', 'Never asked'] }, ctx)
      .catch((e: unknown) => e)) as ActionError;
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'not-confirmed', retryable: false });
    expect(people.asked).toHaveLength(2);
    expect(rec.events).toHaveLength(1);
  });

  it('reports an unknown section', async () => {
    const { ctx } = fakeContext({ graph, confirmer: confirmer() });
    await expect(checklistAction.run({ checklist: 'dr-drill', section: 'During' }, ctx)).rejects.toMatchObject({
      code: 'bad-params',
      retryable: false,
    });
  });
});

describe('manual', () => {
  it('asks the assignee, with evidence by default', async () => {
    const people = confirmer({ evidence: ' https://ci.example/run/1 ' });
    const { ctx } = fakeContext({ graph, confirmer: people });
    const result = await manualAction.run({ instruction: 'Open the war room', assignee: 'incident-commander' }, ctx);
    expect(result).toEqual({ confirmedBy: '@oncall', evidence: 'https://ci.example/run/1' });
    expect(people.asked[0]).toMatchObject({
      stepId: 'step-1',
      question: 'Open the war room',
      assignee: 'Incident commander (John Doe, backup Jane Smith)',
      evidence: true,
    });
  });

  it('refuses a confirmation without the required evidence', async () => {
    const { ctx } = fakeContext({ graph, confirmer: confirmer({ evidence: '   ' }) });
    await expect(manualAction.run({ instruction: 'Do it' }, ctx)).rejects.toMatchObject({
      code: 'no-evidence',
      retryable: false,
    });
  });

  it('accepts no evidence when evidence is false (also as rendered text)', async () => {
    const people = confirmer();
    const { ctx } = fakeContext({ graph, confirmer: people });
    expect(await manualAction.run({ instruction: 'Do it', evidence: 'false' }, ctx)).toEqual({
      confirmedBy: '@oncall',
      evidence: null,
    });
    expect(people.asked[0].evidence).toBe(false);
  });

  it('fails without retry when not confirmed, and masks evidence', async () => {
    const { ctx } = fakeContext({ graph, confirmer: confirmer({ refuse: ['Do it'] }) });
    await expect(manualAction.run({ instruction: 'Do it' }, ctx)).rejects.toMatchObject({
      code: 'not-confirmed',
      retryable: false,
    });
    const secret = 'token-abcdef-123';
    const masked = fakeContext({
      graph,
      confirmer: confirmer({ evidence: `https://x.example/?t=${secret}` }),
      secrets: [secret],
    });
    expect((await manualAction.run({ instruction: 'Do it' }, masked.ctx)).evidence).toBe('https://x.example/?t=***');
  });
});
