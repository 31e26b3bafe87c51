import { documentedExample } from './github-openapi.js';

/**
 * Branch protection as the fake stores it (the body of the last `PUT …/branches/{b}/protection`,
 * or what a test planted in that shape) and as GitHub serves it back: the GET (and the PUT's
 * reply) wraps each boolean in `{ enabled }`, lists users, teams and apps as objects where the
 * PUT takes logins and slugs, and omits the groups that are off. Shapes from GitHub's REST description
 * (`repos/get-branch-protection`, `repos/update-branch-protection`). Required signatures are not
 * part of the PUT (they have their own endpoint, `…/protection/required_signatures`), so a PUT
 * leaves them as they were; the fake serves them as `enabled` when `signatures` says so.
 */
export type ProtectionPut = Record<string, any>;

type Actors = { users?: string[]; teams?: string[]; apps?: string[] } | null | undefined;
type Resolve = { user: (login: string) => Record<string, unknown>; url: string };

const example = () => documentedExample('GET', '/repos/o/r/branches/main/protection');

function actors(a: Actors, r: Resolve, u?: string): Record<string, unknown> {
  const ex = example().restrictions;
  // GitHub's example lacks fields its schema requires (a team's `type`, the app owner's user urls).
  const team = (slug: string) => ({ ...ex.teams[0], type: 'organization', slug, name: slug });
  const app = (slug: string) => ({ ...ex.apps[0], owner: r.user('acme'), slug, name: slug });
  return {
    ...(u ? { url: u, users_url: `${u}/users`, teams_url: `${u}/teams` } : {}),
    users: (a?.users ?? []).map(r.user),
    teams: (a?.teams ?? []).map(team),
    apps: (a?.apps ?? []).map(app),
  };
}

/** The stored PUT body `p` in the shape GitHub's GET serves; `url` is the protection's API url. */
export function protectionGetShape(p: ProtectionPut, r: Resolve, signatures = false): Record<string, unknown> {
  const checks = p.required_status_checks;
  const reviews = p.required_pull_request_reviews;
  const out: Record<string, unknown> = {
    url: r.url,
    required_signatures: { url: `${r.url}/required_signatures`, enabled: signatures },
    enforce_admins: { url: `${r.url}/enforce_admins`, enabled: !!p.enforce_admins },
  };
  if (checks) {
    const list =
      (checks.checks as { context: string; app_id?: number }[] | undefined) ??
      (checks.contexts as string[]).map((context): { context: string; app_id?: number } => ({ context }));
    out.required_status_checks = {
      url: `${r.url}/required_status_checks`,
      contexts_url: `${r.url}/required_status_checks/contexts`,
      strict: checks.strict,
      contexts: list.map((c) => c.context),
      checks: list.map((c) => ({ context: c.context, app_id: c.app_id ?? null })),
    };
  }
  if (reviews) {
    const { dismissal_restrictions: d, bypass_pull_request_allowances: b, ...rest } = reviews;
    out.required_pull_request_reviews = {
      url: `${r.url}/required_pull_request_reviews`,
      dismiss_stale_reviews: false,
      require_code_owner_reviews: false,
      ...rest,
      ...(d ? { dismissal_restrictions: actors(d, r, `${r.url}/dismissal_restrictions`) } : {}),
      ...(b ? { bypass_pull_request_allowances: actors(b, r) } : {}),
    };
  }
  if (p.restrictions)
    out.restrictions = {
      ...actors(p.restrictions, r, `${r.url}/restrictions`),
      apps_url: `${r.url}/restrictions/apps`,
    };
  for (const k of [
    'required_linear_history',
    'allow_force_pushes',
    'allow_deletions',
    'block_creations',
    'required_conversation_resolution',
    'lock_branch',
    'allow_fork_syncing',
  ]) {
    out[k] = { enabled: !!p[k] }; // GitHub lists these switches even when off
  }
  return out;
}
