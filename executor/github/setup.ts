import type { IrGraph } from '../../ir/types.js';
import { RunRefused } from '../core/errors.js';
import { httpStatus, type GithubApi, type RepoRef } from './client.js';

/** One REST call of the setup, exactly as made (or, in a dry run, as it would be made). */
export interface SetupCall {
  readonly method: 'GET' | 'PUT';
  readonly path: string;
  readonly body?: Record<string, unknown>;
}

/** A GitHub environment and who must approve jobs that use it. */
export interface SetupEnvironment {
  readonly name: string;
  /** `@user` or `@org/team` entries (GitHub allows at most six per environment). */
  readonly reviewers: readonly string[];
}

/** What `githubSetup` configures, and whether only to list the calls. */
export interface GithubSetupOptions {
  readonly octokit: GithubApi;
  readonly repo: RepoRef;
  readonly environments: readonly SetupEnvironment[];
  /** The branch to protect (the default branch, where runbooks and run requests merge). */
  readonly branch: string;
  /** List the calls without making any, not even the lookups. */
  readonly dryRun: boolean;
  /** Approving reviews required on pull requests (default 1; an existing higher count is kept). */
  readonly requiredReviews?: number;
}

/** The calls made (or, with `dryRun`, that would be made), in order. */
export interface GithubSetupResult {
  readonly dryRun: boolean;
  readonly calls: SetupCall[];
}

/**
 * `runbook github setup`: creates or updates each environment with its required reviewers (ids
 * looked up: GET /orgs/{org}/teams/{slug}, GET /users/{login}), self-review prevented and
 * deployments limited to protected branches, then protects the branch so a pull request needs
 * its CODEOWNERS' review. PUT replaces a branch's whole protection, so the current status
 * checks, admin enforcement and push restrictions are read first and kept. With `dryRun` no
 * request is made at all; ids and kept settings appear as `<…>` placeholders.
 */
export async function githubSetup(o: GithubSetupOptions): Promise<GithubSetupResult> {
  const calls: SetupCall[] = [];
  const base = `/repos/${enc(o.repo.owner)}/${enc(o.repo.repo)}`;
  const call = async (c: SetupCall): Promise<Record<string, unknown> | undefined> => {
    calls.push(c);
    if (o.dryRun) return undefined;
    return (await o.octokit.request(`${c.method} ${c.path}`, { ...(c.body ?? {}) })).data as Record<string, unknown>;
  };
  const ids = new Map<string, { type: 'User' | 'Team'; id: number | string }>();
  for (const entry of new Set(o.environments.flatMap((e) => e.reviewers))) {
    const [org, team, extra] = entry.replace(/^@/, '').split('/');
    if (!org || extra !== undefined || team === '') throw new RunRefused(`reviewer ${JSON.stringify(entry)} is neither @user nor @org/team`);
    const path = team === undefined ? `/users/${enc(org)}` : `/orgs/${enc(org)}/teams/${enc(team)}`;
    const data = await call({ method: 'GET', path });
    ids.set(entry, { type: team === undefined ? 'User' : 'Team', id: (data?.id as number | undefined) ?? `<id of ${entry}>` });
  }
  for (const env of o.environments) {
    if (env.reviewers.length > 6) throw new RunRefused(`environment ${env.name} lists ${env.reviewers.length} reviewers; GitHub allows at most 6`, 'name a team instead of its members');
    await call({
      method: 'PUT', path: `${base}/environments/${enc(env.name)}`,
      body: {
        reviewers: env.reviewers.map((r) => ids.get(r)!),
        // The person who started the workflow must not be the one letting it through.
        prevent_self_review: true,
        deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
      },
    });
  }
  const protectionPath = `${base}/branches/${enc(o.branch)}/protection`;
  let current: Protection | undefined | 'dry-run' = 'dry-run';
  if (o.dryRun) calls.push({ method: 'GET', path: protectionPath });
  else current = await currentProtection(o.octokit, protectionPath, calls);
  await call({ method: 'PUT', path: protectionPath, body: protectionBody(current, o.requiredReviews ?? 1) });
  return { dryRun: o.dryRun, calls };
}

type Protection = {
  required_status_checks?: { strict?: boolean; contexts?: string[] } | null;
  enforce_admins?: { enabled?: boolean } | null;
  required_pull_request_reviews?: { required_approving_review_count?: number } | null;
  restrictions?: { users?: { login: string }[]; teams?: { slug: string }[]; apps?: { slug: string }[] } | null;
};

async function currentProtection(octokit: GithubApi, path: string, calls: SetupCall[]): Promise<Protection | undefined> {
  calls.push({ method: 'GET', path });
  try {
    return (await octokit.request(`GET ${path}`)).data as Protection;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

function protectionBody(cur: Protection | undefined | 'dry-run', reviews: number): Record<string, unknown> {
  const keep = '<kept from the current protection>';
  const dry = cur === 'dry-run';
  const c = dry ? undefined : cur;
  const checks = c?.required_status_checks;
  const r = c?.restrictions;
  return {
    required_status_checks: dry ? keep : checks ? { strict: checks.strict ?? false, contexts: checks.contexts ?? [] } : null,
    // Admins included unless already configured otherwise: a run request merged without review would run unreviewed.
    enforce_admins: dry ? keep : c?.enforce_admins?.enabled ?? true,
    required_pull_request_reviews: {
      require_code_owner_reviews: true,
      required_approving_review_count: Math.max(reviews, c?.required_pull_request_reviews?.required_approving_review_count ?? 0),
      // Approvals count only on the commit that merges, as the run-request check demands.
      dismiss_stale_reviews: true,
      require_last_push_approval: true,
    },
    restrictions: dry ? keep : r ? { users: (r.users ?? []).map((u) => u.login), teams: (r.teams ?? []).map((t) => t.slug), apps: (r.apps ?? []).map((a) => a.slug) } : null,
  };
}

const enc = encodeURIComponent;

/** The environments of compiled runbooks with their approvers as required reviewers. */
export function environmentsFromGraphs(graphs: readonly IrGraph[]): SetupEnvironment[] {
  const byName = new Map<string, Set<string>>();
  for (const g of graphs) {
    if (!g.environment) continue;
    const set = byName.get(g.environment) ?? new Set<string>();
    for (const a of g.approvals?.approvers ?? []) set.add(a.startsWith('@') ? a : `@${a}`);
    byName.set(g.environment, set);
  }
  return [...byName].map(([name, set]) => ({ name, reviewers: [...set] }));
}
