import type { IrGraph } from '../../ir/types.js';
import { ActionError } from '../core/errors.js';
import type { ActionContext, ActionDefinition } from './action.js';
import type { ChecklistParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { ChecklistParams };

export type ChecklistItemResult = { text: string; section?: string; confirmed: boolean; by: string };
export type ChecklistResult = { items: ChecklistItemResult[] };

interface Item {
  text: string;
  section?: string;
  check?: string;
}

const stepId = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * `checklist`: the items of a Checklist (optionally one `section`) or inline `items`, in order.
 * An item bound to a check step is confirmed as `step:<id>` when that step succeeded; when it did
 * not, a person is asked instead (they may verify by hand, and their name is on the record). The
 * first unconfirmed item fails the step without asking the rest; retrying cannot change an answer.
 */
export const checklistAction: ActionDefinition<ChecklistParams, ChecklistResult> = {
  id: 'checklist',
  async run(params, ctx) {
    const results: ChecklistItemResult[] = [];
    for (const item of itemsOf(params, ctx.services.graph)) {
      const { confirmed, by } = await confirmItem(item, ctx);
      const section = item.section !== undefined ? { section: item.section } : {};
      results.push({ text: item.text, ...section, confirmed, by });
      if (!confirmed) {
        throw new ActionError(
          `checklist item not confirmed: ${ctx.secrets.mask(item.text)}${by ? ` (answered by ${by})` : ''}`,
          {
            code: 'not-confirmed',
          },
        );
      }
      await ctx.services.events.emit('checklist:item', {
        stepId: ctx.step.id,
        ...section,
        text: item.text,
        confirmedBy: by,
        ...(item.check !== undefined ? { check: item.check } : {}),
      });
    }
    return { items: results };
  },
  plan(params, ctx) {
    const items = itemsOf(params, ctx.graph);
    const bound = items.filter((i) => i.check !== undefined).length;
    const name = params.checklist ? `${params.checklist}${params.section ? ` / ${params.section}` : ''}` : 'inline';
    return {
      summary: `checklist ${name}: ${items.length} items${bound ? `, ${bound} bound to checks` : ''}`,
      calls: items.map((i) => ({
        target: i.check !== undefined ? `step:${i.check}` : 'confirmer',
        operation: i.check !== undefined ? 'status' : 'confirm',
        args: { text: ctx.secrets.mask(i.text), ...(i.section !== undefined ? { section: i.section } : {}) },
      })),
    };
  },
};

function itemsOf(params: ChecklistParams, graph: IrGraph): Item[] {
  const bad = (message: string) => new ActionError(message, { code: 'bad-params' });
  if (params.items) return params.items.map((i) => (typeof i === 'string' ? { text: i } : { ...i }));
  if (params.checklist === undefined) throw bad('checklist: give `checklist` or `items`');
  if (!Object.hasOwn(graph.resources.checklists, params.checklist)) throw bad(`unknown checklist ${params.checklist}`);
  const sections = graph.resources.checklists[params.checklist].sections;
  const chosen = params.section === undefined ? sections : sections.filter((s) => s.title === params.section);
  if (chosen.length === 0) throw bad(`checklist ${params.checklist} has no section ${JSON.stringify(params.section)}`);
  return chosen.flatMap((s) =>
    s.items.map((i) => ({ text: i.text, section: s.title, ...(i.check !== undefined ? { check: i.check } : {}) })),
  );
}

async function confirmItem(item: Item, ctx: ActionContext): Promise<{ confirmed: boolean; by: string }> {
  let question = item.text;
  if (item.check !== undefined) {
    // The id goes into a template: anything but a step id could inject an expression.
    if (!stepId.test(item.check))
      throw new ActionError(`invalid check step id ${JSON.stringify(item.check)}`, {
        code: 'bad-params',
      });
    const status = ctx.services.render(`{{steps.${item.check}.status}}`).trim();
    if (status === 'succeeded') return { confirmed: true, by: `step:${item.check}` };
    question = `${item.text} (check step ${item.check}: ${status || 'not run'})`;
  }
  const answer = await ctx.services.confirmer.confirm({
    stepId: ctx.step.id,
    question,
    evidence: false,
    signal: ctx.signal,
  });
  return { confirmed: answer.confirmed, by: answer.by };
}
