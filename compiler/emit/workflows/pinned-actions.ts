/**
 * The third-party actions the generated workflows use, pinned to full-length commit SHAs: a tag
 * can be moved to other code, a commit cannot (GitHub's security hardening guide). The release is
 * written as a trailing comment (`# v4.2.2`), the form Dependabot and Renovate keep current.
 *
 * Each SHA was checked against independent public sources before it was written here:
 * - actions/checkout v4.2.2 = 11bd71901bbe5b1630ceea73d27597364c9af683: nodejs/docker-node#2209
 *   (pins `actions/checkout@v4` to it), callstack/reassure#575 (links the commit as the v4 tag), and
 *   many workflow files pinning `actions/checkout@11bd7190… # v4.2.2` (e.g. an evidence file
 *   verified with `gh api repos/actions/checkout/commits/<sha>`: dated 2024-10-23).
 * - actions/setup-node v4.4.0 = 49933ea5288caeca8642d1e84afbd3f7d6820020: callstack/reassure#575,
 *   pestphp/pestphp.com#52 (pins `actions/setup-node@v4` to it), and workflow files pinning
 *   `actions/setup-node@49933ea5… # v4.4.0` (the same evidence file: commit dated 2025-04-02).
 * - actions/upload-artifact v4.6.2 = ea165f8d65b6e75b540449e92b4886f43607fa02: Dependabot's
 *   "Bump actions/upload-artifact from 4.6.1 to 4.6.2" in eclipse-4diac/4diac-ide#1197 (compare
 *   4cec3d8a…ea165f8d), Factory-AI/droid-action#43 ("pin upload-artifact to v4.6.2 SHA"), and
 *   workflow files pinning `actions/upload-artifact@ea165f8d… # v4.6.2` (commit dated 2025-03-19).
 */

/** One pinned action: `uses: <repo>@<sha> # <version>`. */
export interface PinnedAction {
  readonly repo: string;
  readonly sha: string;
  readonly version: string;
}

/** actions/checkout v4.2.2. */
export const checkoutAction: PinnedAction = { repo: 'actions/checkout', sha: '11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2' };
/** actions/setup-node v4.4.0. */
export const setupNodeAction: PinnedAction = { repo: 'actions/setup-node', sha: '49933ea5288caeca8642d1e84afbd3f7d6820020', version: 'v4.4.0' };
/** actions/upload-artifact v4.6.2. */
export const uploadArtifactAction: PinnedAction = { repo: 'actions/upload-artifact', sha: 'ea165f8d65b6e75b540449e92b4886f43607fa02', version: 'v4.6.2' };

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
