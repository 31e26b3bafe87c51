/**
 * The third-party actions the generated workflows use, pinned to full-length commit SHAs: a tag
 * can be moved to other code, a commit cannot (GitHub's security hardening guide). The release is
 * written as a trailing comment (`# v7.0.1`), the form Dependabot and Renovate keep current.
 *
 * Each SHA was checked against at least two independent public sources before it was written
 * here, and each release runs on Node 24 (`runs.using: node24` in its action.yml): Node 20, which
 * the v4 releases ran on, is past its end of life and GitHub annotates actions that still use it.
 * - actions/checkout v7.0.1 = 3d3c42e5aac5ba805825da76410c181273ba90b1: plengauer/Thoth#3797
 *   (Renovate "Update actions/checkout action to v7.0.1", 9c091bb2… # v7.0.0 → 3d3c42e5… # v7.0.1),
 *   afadesigns/zshellcheck#1440 (SHA resolved with `git ls-remote --tags` to v7.0.1), and
 *   ViewComponent/view_component#2687 (`refs/tags/v7` and `refs/tags/v7.0.1` are the same commit).
 * - actions/setup-node v7.0.0 = 820762786026740c76f36085b0efc47a31fe5020: oomkapwn/enquire-mcp#364
 *   (verified through the GitHub API as the `v7.0.0` / `v7` tag), Switcheo/carbon-js-sdk#641 (the
 *   `v7` tag resolves to it; its action.yml declares `using: node24`), NVIDIA/NemoClaw#7161 and
 *   plengauer/Thoth#3770 (48b55a01… # v6.4.0 → 82076278… # v7.0.0). Released 2026-07-14.
 * - actions/upload-artifact v7.0.1 = 043fb46d1a93c77aae656e7c1c64a875d1fc6a0a: spiffe/spire#7053
 *   (`refs/tags/v7` and `refs/tags/v7.0.1` both point at it), NortheBridge/luminalshine#74 (v6.0.0 →
 *   v7.0.1, "the source of the Node 20 deprecation warnings"), plengauer/Thoth#3938, and
 *   mParticle/mparticle-apple-sdk#745 (v7.0.1 runs on Node.js 24). Released 2026-04-10; v7 keeps
 *   `include-hidden-files`, `if-no-files-found` and `retention-days`, and zips by default.
 * Upgrading: change the SHA and version here, re-run `runbook compile`, and cite the new sources.
 */

/** One pinned action: `uses: <repo>@<sha> # <version>`. */
export interface PinnedAction {
  readonly repo: string;
  readonly sha: string;
  readonly version: string;
}

/** actions/checkout v7.0.1. */
export const checkoutAction: PinnedAction = {
  repo: 'actions/checkout',
  sha: '3d3c42e5aac5ba805825da76410c181273ba90b1',
  version: 'v7.0.1',
};
/** actions/setup-node v7.0.0. */
export const setupNodeAction: PinnedAction = {
  repo: 'actions/setup-node',
  sha: '820762786026740c76f36085b0efc47a31fe5020',
  version: 'v7.0.0',
};
/** actions/upload-artifact v7.0.1. */
export const uploadArtifactAction: PinnedAction = {
  repo: 'actions/upload-artifact',
  sha: '043fb46d1a93c77aae656e7c1c64a875d1fc6a0a',
  version: 'v7.0.1',
};

/** Every action a generated workflow may use; the tests reject any other `uses:`. */
export const pinnedActions: readonly PinnedAction[] = [checkoutAction, setupNodeAction, uploadArtifactAction];

/** The `uses:` value of a pinned action. */
export function usesOf(action: PinnedAction): string {
  return `${action.repo}@${action.sha}`;
}

/** The version comment for a `uses:` value, when it is one of the pinned actions. */
export function versionOf(uses: string): string | undefined {
  return pinnedActions.find((a) => usesOf(a) === uses)?.version;
}
