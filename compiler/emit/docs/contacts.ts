import type { RootContent } from 'mdast';
import type { DirectorySpec, PersonSpec, RoleSpec, TeamSpec } from '../../model/specs.js';
import type { GraphPageContext } from './docs-context.js';
import { none, sortedEntries } from './format.js';
import { heading, inlineCode, link, paragraph, table, type Inline } from '../../../common/markdown/mdast-builders.js';

/** Columns of a person's contact details, shared by the runbook and Directory pages. */
export const contactHeader = ['Name', 'GitHub', 'E-mail', 'Phone', 'Slack'];

/** A person's contact row: e-mail and phone as `mailto:`/`tel:` links, so they work on a phone. */
export function contactCells(person: PersonSpec | undefined, id: string): Inline[] {
  if (!person) return [id, none, none, none, none];
  return [
    person.name,
    person.github ?? none,
    person.email ? link(`mailto:${person.email}`, person.email) : none,
    person.phone ? link(`tel:${person.phone.replace(/[^+\d]/g, '')}`, person.phone) : none,
    person.slack ?? none,
  ];
}

/** `Jane Doe (@jane · +1-555-0100)`: a person in one cell, for role tables. */
export function personInline(dir: DirectorySpec, id: string | undefined): Inline {
  if (id === undefined) return none;
  const p = dir.people?.[id];
  if (!p) return inlineCode(id);
  const reach = [
    p.slack,
    p.phone ? link(`tel:${p.phone.replace(/[^+\d]/g, '')}`, p.phone) : undefined,
    p.email ? link(`mailto:${p.email}`, p.email) : undefined,
  ].filter((x): x is NonNullable<typeof x> => x !== undefined);
  return reach.length ? [p.name, ' (', ...reach.flatMap((r, i) => (i ? [' · ', r] : [r])), ')'] : p.name;
}

/** Roles sorted by id, with the incident commander first: it is who people look for. */
export function orderedRoles(dir: DirectorySpec): [string, RoleSpec][] {
  const roles = sortedEntries(dir.roles);
  return [
    ...roles.filter(([id]) => id === 'incident-commander'),
    ...roles.filter(([id]) => id !== 'incident-commander'),
  ];
}

export function rolesTable(dir: DirectorySpec): RootContent {
  return table(
    ['Role', 'Primary', 'Backup', 'Responsibility'],
    orderedRoles(dir).map(([id, role]) => [
      [role.title ?? id, ' ', inlineCode(id)],
      personInline(dir, role.primary),
      personInline(dir, role.backup),
      role.description ?? none,
    ]),
  );
}

/** The team (or person) a GitHub handle names, e.g. the runbook owner `@acme/sre`. */
export function ownerOf(
  dir: DirectorySpec,
  handle: string,
): { team?: [string, TeamSpec]; person?: [string, PersonSpec] } {
  const team = sortedEntries(dir.teams).find(([, t]) => t.github === handle);
  if (team) return { team };
  const person = sortedEntries(dir.people).find(([, p]) => p.github === handle);
  return person ? { person } : {};
}

/** "Owners and contacts": the owner team's members and the incident roles, from the Directory. */
export function contactsSection(ctx: GraphPageContext, owner: string | undefined): RootContent[] {
  const dir = ctx.directory;
  const out: RootContent[] = [heading(2, 'Owners and contacts')];
  if (!dir) return [...out, paragraph('No Directory in the tree; owner: ', owner ? inlineCode(owner) : none, '.')];
  out.push(...ownerBlock(dir, owner));
  if (Object.keys(dir.roles ?? {}).length) out.push(heading(3, 'Incident roles'), rolesTable(dir));
  out.push(paragraph('All people, teams and the notification matrix: ', ctx.links.to('Directory', 'Directory'), '.'));
  return out;
}

function ownerBlock(dir: DirectorySpec, owner: string | undefined): RootContent[] {
  if (!owner) return [paragraph('The runbook names no owner.')];
  const found = ownerOf(dir, owner);
  if (found.team) {
    const [id, team] = found.team;
    // Members stay in author order: teams often list their lead first.
    const members = team.members ?? [];
    return [
      heading(3, 'Owner: ', team.name ?? id, ' ', inlineCode(owner)),
      ...(team.slack ? [paragraph('Channel: ', team.slack)] : []),
      table(
        contactHeader,
        members.map((m) => contactCells(dir.people?.[m], m)),
      ),
    ];
  }
  if (found.person) {
    const [id, person] = found.person;
    return [
      heading(3, 'Owner: ', person.name, ' ', inlineCode(owner)),
      table(contactHeader, [contactCells(person, id)]),
    ];
  }
  return [heading(3, 'Owner: ', inlineCode(owner)), paragraph('Not found in the Directory.')];
}
