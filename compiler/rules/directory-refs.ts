import { parseDuration } from '../../ir/duration.js';
import { hasTemplate } from '../expressions/parse-template.js';
import type { LoadedDoc } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import type { DirectorySpec, TemplateDocData } from '../model/specs.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule, RuleContext } from './rule.js';
import { templateTexts, unscopedPaths } from './template-variables.js';
import { isGate, referenceParam } from '../../common/actions-catalog/index.js';

type Code = 'unknown-team' | 'unknown-role' | 'unknown-person' | 'unknown-audience' | 'unknown-tier';

/** Reports `value` at `pointer` unless it is one of `known` (or a template, resolved at run time). */
type Expect = (
  doc: LoadedDoc,
  pointer: string,
  value: unknown,
  known: readonly string[],
  code: Code,
  what: string,
) => void;

/**
 * Everything that names a person, team, role, audience or tier resolves in the Directory: owners
 * and approvers (by GitHub handle), manual-step assignees, `directory.roles.X` in Templates,
 * the Directory's own cross-references, and tiers with the objectives they promise. Without a
 * Directory nothing can be resolved, so the rule is silent.
 */
export const directoryRefsRule: Rule = {
  id: 'directory-refs',
  codes: [
    'unknown-team',
    'unknown-role',
    'unknown-person',
    'unknown-audience',
    'unknown-tier',
    'objectives-exceed-tier',
  ],
  docs: 'Owners, approvers, assignees, audiences and tiers resolve in the Directory, the Directory is consistent with itself, and runbook objectives are no weaker than their tier.',
  check(ctx) {
    const dir = ctx.directory;
    if (!dir) return;
    const spec = dir.data.spec;
    const expect = expecter(ctx);
    const handles = githubHandles(spec);
    checkOwners(ctx, expect, handles);
    checkRunbooks(ctx, expect, handles, Object.keys(spec.roles ?? {}));
    checkTemplates(ctx, Object.keys(spec.roles ?? {}));
    checkDirectory(dir.doc, spec, expect);
    checkTiers(ctx, expect, spec);
  },
};

function expecter(ctx: RuleContext): Expect {
  return (doc, pointer, value, known, code, what) => {
    if (typeof value !== 'string' || hasTemplate(value) || known.includes(value.toLowerCase()) || known.includes(value))
      return;
    const suggestion = didYouMean(value, known);
    ctx.report(doc, pointer, code, `the Directory defines no ${what} "${value}"`, {
      hint: suggestion ? `did you mean "${suggestion}"?` : `known: ${known.slice(0, 10).join(', ') || 'none'}`,
    });
  };
}

/** Team and person GitHub handles, lower-cased: GitHub treats them case-insensitively. */
function githubHandles(spec: DirectorySpec): string[] {
  const teams = Object.values(spec.teams ?? {}).map((t) => t.github);
  const people = Object.values(spec.people ?? {}).map((p) => p.github);
  return [...teams, ...people].filter((h): h is string => typeof h === 'string').map((h) => h.toLowerCase());
}

function checkOwners(ctx: RuleContext, expect: Expect, handles: string[]): void {
  for (const kind of ['Runbook', 'BackupPlan', 'Template', 'Checklist', 'Directory'] as const) {
    for (const doc of ctx.valid(kind)) {
      const owner = (doc.data.metadata as { owner?: unknown } | undefined)?.owner;
      expect(doc, '/metadata/owner', owner, handles, 'unknown-team', 'team or person with GitHub handle');
    }
  }
}

function checkRunbooks(ctx: RuleContext, expect: Expect, handles: string[], roles: string[]): void {
  const approvers = (doc: LoadedDoc, pointer: string, list: unknown): void => {
    if (!Array.isArray(list)) return;
    list.forEach((a, i) =>
      expect(doc, joinPointer(pointer, i), a, handles, 'unknown-team', 'team or person with GitHub handle'),
    );
  };
  for (const unit of ctx.runbooks) {
    if (unit.loweredFrom) continue;
    const { doc, data } = unit;
    approvers(doc, '/spec/approvals/approvers', data.spec.approvals?.approvers);
    for (const { step, pointer } of unit.deps.steps) {
      approvers(doc, joinPointer(pointer, 'approval', 'approvers'), step.approval?.approvers);
      if (isGate(step.uses)) approvers(doc, joinPointer(pointer, 'with', 'approvers'), step.with?.approvers);
      const role = referenceParam(step.uses, 'Role');
      if (role !== undefined)
        expect(doc, joinPointer(pointer, 'with', role), step.with?.[role], roles, 'unknown-role', 'role');
    }
  }
}

/** `directory.roles.X` in a Template names a role; a typo would render as an empty string. */
function checkTemplates(ctx: RuleContext, roles: string[]): void {
  for (const doc of ctx.valid('Template')) {
    for (const { text, locate } of templateTexts(doc, doc.data as unknown as TemplateDocData)) {
      for (const path of unscopedPaths(text)) {
        const [root, group, role] = path.parts;
        if (root !== 'directory' || group !== 'roles' || role === undefined || roles.includes(role)) continue;
        const { pointer, ...where } = locate(path);
        const suggestion = didYouMean(role, roles);
        ctx.report(doc, pointer, 'unknown-role', `the Directory defines no role "${role}"`, {
          ...where,
          hint: suggestion ? `did you mean "${suggestion}"?` : `roles: ${roles.join(', ') || 'none'}`,
        });
      }
    }
  }
}

function checkDirectory(doc: LoadedDoc, spec: DirectorySpec, expect: Expect): void {
  const people = Object.keys(spec.people ?? {});
  const teams = Object.keys(spec.teams ?? {});
  const audiences = Object.keys(spec.audiences ?? {});
  const each = (pointer: string, list: unknown, known: string[], code: Code, what: string): void => {
    if (Array.isArray(list)) list.forEach((v, i) => expect(doc, joinPointer(pointer, i), v, known, code, what));
  };
  for (const [id, team] of Object.entries(spec.teams ?? {})) {
    each(joinPointer('/spec/teams', id, 'members'), team.members, people, 'unknown-person', 'person');
  }
  for (const [id, role] of Object.entries(spec.roles ?? {})) {
    expect(doc, joinPointer('/spec/roles', id, 'primary'), role.primary, people, 'unknown-person', 'person');
    expect(doc, joinPointer('/spec/roles', id, 'backup'), role.backup, people, 'unknown-person', 'person');
  }
  for (const [id, audience] of Object.entries(spec.audiences ?? {})) {
    each(joinPointer('/spec/audiences', id, 'people'), audience.people, people, 'unknown-person', 'person');
    each(joinPointer('/spec/audiences', id, 'teams'), audience.teams, teams, 'unknown-team', 'team');
  }
  for (const [id, severity] of Object.entries(spec.severities ?? {})) {
    (severity.notify ?? []).forEach((n, i) => {
      expect(
        doc,
        joinPointer('/spec/severities', id, 'notify', i, 'audience'),
        n.audience,
        audiences,
        'unknown-audience',
        'audience',
      );
    });
  }
}

/** Where a document names its tier, and the objectives that tier must cover. */
interface TierRef {
  doc: LoadedDoc;
  pointer: string;
  tier?: string;
  objectives?: { rto?: string; rpo?: string };
}

/** Tiers exist, and a document's objectives promise at least what its tier does. */
function checkTiers(ctx: RuleContext, expect: Expect, spec: DirectorySpec): void {
  const tiers = spec.tiers ?? {};
  const refs: TierRef[] = [];
  for (const { doc, data, loweredFrom } of ctx.runbooks) {
    if (!loweredFrom)
      refs.push({ doc, pointer: '/metadata/tier', tier: data.metadata.tier, objectives: data.spec.objectives });
  }
  for (const { doc, data } of ctx.backupPlans) {
    refs.push({ doc, pointer: '/metadata/tier', tier: data.metadata.tier, objectives: data.spec.objectives });
    refs.push({ doc, pointer: '/spec/tier', tier: data.spec.tier, objectives: data.spec.objectives });
  }
  for (const { doc, pointer, tier, objectives } of refs) {
    if (tier === undefined) continue;
    expect(doc, pointer, tier, Object.keys(tiers), 'unknown-tier', 'tier');
    // Both tier fields of a BackupPlan may name the same tier: identical findings are deduplicated.
    if (Object.hasOwn(tiers, tier)) compareObjectives(ctx, doc, tier, tiers[tier], objectives);
  }
}

function compareObjectives(
  ctx: RuleContext,
  doc: LoadedDoc,
  tier: string,
  promised: { rto?: string; rpo?: string },
  objectives?: { rto?: string; rpo?: string },
): void {
  for (const key of ['rto', 'rpo'] as const) {
    const mine = objectives?.[key];
    const theirs = promised[key];
    if (mine === undefined || theirs === undefined) continue;
    const a = parseDuration(mine);
    const b = parseDuration(theirs);
    if (a === undefined || b === undefined || a <= b) continue;
    ctx.report(
      doc,
      joinPointer('/spec/objectives', key),
      'objectives-exceed-tier',
      `${key.toUpperCase()} ${mine} is longer than tier "${tier}" allows (${theirs})`,
      { hint: `shorten it to at most ${theirs}, or move the runbook to another tier` },
    );
  }
}
