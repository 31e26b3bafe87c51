import type { IrGraph } from '../../ir/types.js';
import { RunRefused } from '../core/errors.js';
import { prCheckName } from '../../common/pr-check.js';
import { httpStatus, type GithubApi, type RepoRef } from './client.js';
import { protectionPutBody, type CurrentProtection, type ProtectionPolicy } from './protection-body.js';

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
 * its CODEOWNERS' review and the pull-request check (`prCheckName`) to pass. PUT replaces a
 * branch's whole protection, so every current setting is read first and carried over
 * (protection-body.ts). With `dryRun` no
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
    if (!org || extra !== undefined || team === '')
      throw new RunRefused(`reviewer ${JSON.stringify(entry)} is neither @user nor @org/team`);
    const path = team === undefined ? `/users/${enc(org)}` : `/orgs/${enc(org)}/teams/${enc(team)}`;
    const data = await call({ method: 'GET', path });
    ids.set(entry, {
      type: team === undefined ? 'User' : 'Team',
      id: (data?.id as number | undefined) ?? `<id of ${entry}>`,
    });
  }
  for (const env of o.environments) {
    if (env.reviewers.length > 6)
      throw new RunRefused(
        `environment ${env.name} lists ${env.reviewers.length} reviewers; GitHub allows at most 6`,
        'name a team instead of its members',
      );
    await call({
      method: 'PUT',
      path: `${base}/environments/${enc(env.name)}`,
      body: {
        reviewers: env.reviewers.map((r) => ids.get(r)!),
        // The person who started the workflow must not be the one letting it through.
        prevent_self_review: true,
        deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
      },
    });
  }
  const protectionPath = `${base}/branches/${enc(o.branch)}/protection`;
  const policy: ProtectionPolicy = { reviews: o.requiredReviews ?? 1, requiredChecks: [prCheckName] };
  if (o.dryRun) {
    calls.push({ method: 'GET', path: protectionPath });
    await call({ method: 'PUT', path: protectionPath, body: dryRunBody(policy) });
  } else {
    const current = await currentProtection(o.octokit, protectionPath, calls);
    await call({ method: 'PUT', path: protectionPath, body: protectionPutBody(current, policy) });
  }
  return { dryRun: o.dryRun, calls };
}

async function currentProtection(
  octokit: GithubApi,
  path: string,
  calls: SetupCall[],
): Promise<CurrentProtection | undefined> {
  calls.push({ method: 'GET', path });
  try {
    return (await octokit.request(`GET ${path}`)).data as CurrentProtection;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

/** In a dry run nothing is read: the fields kept from the current protection show as placeholders. */
function dryRunBody(policy: ProtectionPolicy): Record<string, unknown> {
  const keep = '<kept from the current protection>';
  const body = protectionPutBody(undefined, policy);
  return {
    ...body,
    required_status_checks: `${keep}, plus ${policy.requiredChecks.join(', ')}`,
    enforce_admins: keep,
    restrictions: keep,
    other_settings: keep,
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
