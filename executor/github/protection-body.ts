/**
 * The body of `PUT /repos/{o}/{r}/branches/{b}/protection` that keeps every setting the branch
 * already has. PUT replaces the whole protection (an omitted field is reset), and GitHub's GET
 * serves it in another shape: booleans wrapped in `{ enabled }`, users/teams/apps as objects
 * where the PUT takes logins and slugs, status checks as `checks` with a nullable `app_id`.
 * Shapes: GitHub REST "Get branch protection" / "Update branch protection"
 * (docs.github.com/en/rest/branches/branch-protection). Required signatures are not part of this
 * PUT (they have their own endpoint, `…/protection/required_signatures`) and a PUT leaves them as
 * they are, so they are neither read nor written here.
 */

type Named = { login?: string; slug?: string };
type Actors = { users?: Named[]; teams?: Named[]; apps?: Named[] } | null | undefined;
type Switch = { enabled?: boolean } | null | undefined;

/** Branch protection as GitHub's GET serves it (the fields this module maps). */
export interface CurrentProtection {
  required_status_checks?: {
    strict?: boolean;
    contexts?: string[];
    checks?: { context: string; app_id?: number | null }[];
  } | null;
  enforce_admins?: Switch;
  required_pull_request_reviews?: {
    dismissal_restrictions?: Actors;
    bypass_pull_request_allowances?: Actors;
    dismiss_stale_reviews?: boolean;
    require_code_owner_reviews?: boolean;
    required_approving_review_count?: number;
    require_last_push_approval?: boolean;
  } | null;
  restrictions?: Actors;
  required_linear_history?: Switch;
  allow_force_pushes?: Switch;
  allow_deletions?: Switch;
  block_creations?: Switch;
  required_conversation_resolution?: Switch;
  lock_branch?: Switch;
  allow_fork_syncing?: Switch;
}

/** What setup adds on top of the current protection. */
export interface ProtectionPolicy {
  /** Approving reviews required (an existing higher count is kept). */
  readonly reviews: number;
  /** Status checks the branch must pass, added to those already required. */
  readonly requiredChecks: readonly string[];
}

/** `{ users: [{login}], teams: [{slug}], apps: [{slug}] }` → `{ users: [login], teams: [slug], apps: [slug] }`. */
function names(a: Actors): { users: string[]; teams: string[]; apps: string[] } {
  return {
    users: (a?.users ?? []).map((u) => u.login!),
    teams: (a?.teams ?? []).map((t) => t.slug!),
    apps: (a?.apps ?? []).map((x) => x.slug!),
  };
}

function statusChecks(cur: CurrentProtection['required_status_checks'], required: readonly string[]) {
  // `checks` carries the app each check must come from; `app_id: null` (any app) is PUT as -1,
  // since an omitted app_id lets GitHub pin the check to whichever app last reported it.
  const checks = (cur?.checks ?? (cur?.contexts ?? []).map((context) => ({ context, app_id: null }))).map((c) => ({
    context: c.context,
    app_id: c.app_id ?? -1,
  }));
  for (const context of required) if (!checks.some((c) => c.context === context)) checks.push({ context, app_id: -1 });
  if (!checks.length && !cur) return null;
  // `contexts` is required by the schema but deprecated: the checks above say it all.
  return { strict: cur?.strict ?? false, contexts: [], checks };
}

function reviews(cur: CurrentProtection['required_pull_request_reviews'], count: number) {
  return {
    ...(cur?.dismissal_restrictions ? { dismissal_restrictions: names(cur.dismissal_restrictions) } : {}),
    ...(cur?.bypass_pull_request_allowances
      ? { bypass_pull_request_allowances: names(cur.bypass_pull_request_allowances) }
      : {}),
    // Code owners must review; approvals count only on the commit that merges, as the
    // run-request check demands.
    require_code_owner_reviews: true,
    required_approving_review_count: Math.max(count, cur?.required_approving_review_count ?? 0),
    dismiss_stale_reviews: true,
    require_last_push_approval: true,
  };
}

const switches = [
  'required_linear_history',
  'allow_force_pushes',
  'allow_deletions',
  'block_creations',
  'required_conversation_resolution',
  'lock_branch',
  'allow_fork_syncing',
] as const;

/** The PUT body: `cur` (undefined when the branch is not protected yet) with the policy applied. */
export function protectionPutBody(
  cur: CurrentProtection | undefined,
  policy: ProtectionPolicy,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    required_status_checks: statusChecks(cur?.required_status_checks, policy.requiredChecks),
    // Admins included unless already configured otherwise: a run request merged without review would run unreviewed.
    enforce_admins: cur?.enforce_admins?.enabled ?? true,
    required_pull_request_reviews: reviews(cur?.required_pull_request_reviews, policy.reviews),
    restrictions: cur?.restrictions ? names(cur.restrictions) : null,
  };
  for (const key of switches) if (cur?.[key]) body[key] = !!cur[key]!.enabled;
  return body;
}
