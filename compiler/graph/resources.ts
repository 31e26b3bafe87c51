import { personLogin } from '../../ir/handle.js';
import type { IrAudience, IrChecklist, IrNode, IrPerson, IrResources, IrTemplate, IrUpdate } from '../../ir/types.js';
import type { LoadedDoc } from '../load/loaded-doc.js';
import type { DirectorySpec, TemplateDocData } from '../model/specs.js';
import type { RuleContext } from '../rules/rule.js';
import { referencedValue } from '../../common/actions-catalog/index.js';

type Ctx = Pick<RuleContext, 'templates' | 'directory' | 'project'>;

/** Collects what the graph's nodes refer to by name (see IrResources). Sorted keys: stable bytes. */
export function collectResources(
  nodes: readonly IrNode[],
  approvers: readonly string[],
  ctx: Ctx,
  updates: readonly IrUpdate[] = [],
): IrResources {
  const dir = ctx.directory?.data.spec;
  const templates: Record<string, IrTemplate> = {};
  const checklists: Record<string, IrChecklist> = {};
  const audienceIds = new Set<string>();
  const addTemplate = (name: string, audience: unknown) => {
    const t = ctx.templates.get(name);
    if (!t) return;
    templates[name] = template(t.doc, t.data);
    for (const a of (Array.isArray(audience) ? audience : (t.data.audience ?? [])) as string[]) audienceIds.add(a);
  };
  // Recurring updates (`spec.updates`) send Templates like notify steps: the executor finds them here.
  for (const u of updates) addTemplate(u.template, u.audience);
  for (const node of nodes) {
    const templateName = referencedValue(node, 'Template');
    if (typeof templateName === 'string') addTemplate(templateName, (node.with as Record<string, unknown>).audience);
    const checklistName = referencedValue(node, 'Checklist');
    if (typeof checklistName === 'string') {
      const doc = ctx.project.byName('Checklist', checklistName);
      if (doc) checklists[checklistName] = checklist(doc);
    }
  }
  const audiences: Record<string, IrAudience> = {};
  for (const id of [...audienceIds].sort()) {
    const a = own(dir?.audiences, id);
    if (a) audiences[id] = audience(a, dir!);
  }
  const usesRoles = Object.values(templates).some((t) => /directory\.roles/.test(t.body + (t.subject ?? '')));
  const roles: IrResources['roles'] = {};
  if (usesRoles && dir?.roles) {
    for (const [id, r] of sorted(dir.roles)) {
      roles[id] = {
        ...(r.title ? { title: r.title } : {}),
        ...opt('primary', person(dir, r.primary)),
        ...opt('backup', r.backup ? person(dir, r.backup) : undefined),
      };
    }
  }
  const expanded: Record<string, string[]> = {};
  for (const a of [...new Set(approvers)].sort()) expanded[a] = expandApprover(a, dir);
  const signers = signingKeys(Object.values(expanded).flat(), dir);
  return {
    templates: sortKeys(templates),
    checklists: sortKeys(checklists),
    audiences,
    roles,
    approvers: expanded,
    ...(Object.keys(signers).length ? { signers } : {}),
  };
}

/**
 * The Directory's public keys of the people who may approve, by normalised login, so the executor
 * can verify signed local approvals with the graph alone. In the graph, so the plan hash covers
 * them: a key added or revoked is a changed plan, like a changed team membership.
 */
function signingKeys(handles: readonly string[], dir: DirectorySpec | undefined): Record<string, string[]> {
  const wanted = new Set(handles.map((h) => personLogin(h)).filter((l): l is string => !!l));
  const out: Record<string, string[]> = {};
  for (const p of Object.values(dir?.people ?? {})) {
    const login = p.github ? personLogin(p.github) : undefined;
    if (!login || !wanted.has(login) || !p.signingKeys?.length) continue;
    out[login] = [...new Set([...(out[login] ?? []), ...p.signingKeys])].sort();
  }
  return sortKeys(out);
}

/** `@org/team` → its members' handles; `@user` → itself (also when there is no Directory). */
export function expandApprover(entry: string, dir: DirectorySpec | undefined): string[] {
  const team = Object.values(dir?.teams ?? {}).find((t) => t.github?.toLowerCase() === entry.toLowerCase());
  if (!team) return [entry];
  return (team.members ?? [])
    .map((m) => own(dir?.people, m)?.github)
    .filter((g): g is string => !!g)
    .sort();
}

function template(doc: LoadedDoc, data: TemplateDocData): IrTemplate {
  const variables: IrTemplate['variables'] = {};
  for (const [k, v] of sorted(data.variables ?? {}))
    variables[k] = { required: v.required === true, ...(v.description ? { description: v.description } : {}) };
  return {
    channel: data.channel,
    ...(data.subject ? { subject: data.subject } : {}),
    body: doc.body?.text.replace(/^\r?\n/, '') ?? '',
    variables,
    ...(data.audience ? { audience: [...data.audience] } : {}),
    customerFacing: data.customerFacing === true,
  };
}

function checklist(doc: LoadedDoc): IrChecklist {
  const meta = doc.data.metadata as { name: string; title?: string };
  return {
    title: meta.title ?? meta.name,
    sections: (doc.sections ?? []).map((s) => ({
      title: s.title,
      items: s.items.map((i) => ({ text: i.text, ...(i.check ? { check: i.check } : {}) })),
    })),
  };
}

function audience(a: NonNullable<DirectorySpec['audiences']>[string], dir: DirectorySpec): IrAudience {
  const handles = [
    ...(a.people ?? []).map((p) => own(dir.people, p)?.github),
    ...(a.teams ?? []).flatMap((t) => (own(dir.teams, t)?.members ?? []).map((m) => own(dir.people, m)?.github)),
  ].filter((g): g is string => !!g);
  return {
    channels: [...(a.channels ?? [])],
    external: a.external === true,
    ...(a.slackChannel ? { slackChannel: a.slackChannel } : {}),
    ...(a.webhook ? { webhook: a.webhook } : {}),
    ...(a.email ? { email: a.email } : {}),
    members: [...new Set(handles)].sort(),
  };
}

function person(dir: DirectorySpec, id: string): IrPerson | undefined {
  const p = own(dir.people, id);
  if (!p) return undefined;
  return {
    id,
    name: p.name,
    ...(p.github ? { github: p.github } : {}),
    ...(p.email ? { email: p.email } : {}),
    ...(p.phone ? { phone: p.phone } : {}),
    ...(p.slack ? { slack: p.slack } : {}),
  };
}

const opt = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
const sorted = <V>(o: Record<string, V>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1));
const sortKeys = <V>(o: Record<string, V>) => Object.fromEntries(sorted(o));

/** Own-property lookup: ids are user text, and `constructor` must not find Object.prototype's. */
function own<V>(o: Record<string, V> | undefined, key: string): V | undefined {
  return o && Object.hasOwn(o, key) ? o[key] : undefined;
}
