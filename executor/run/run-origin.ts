/**
 * Where a run was started, for `run:start`'s `origin`: the GitHub Actions workflow that ran it, so an
 * audit review can flag runs started outside the generated `runbook-*` workflows (a laptop, a
 * hand-written workflow). GitHub sets GITHUB_WORKFLOW_REF to `owner/repo/.github/workflows/<file>@<ref>`
 * and GITHUB_WORKFLOW to the workflow's name (GitHub docs, "Variables reference", default
 * environment variables); the file is what names a generated workflow, the name is only a fallback.
 * Outside Actions neither is set and the record has no origin.
 */
export function runOrigin(env: NodeJS.ProcessEnv): { origin?: { workflow: string; event?: string; runUrl?: string } } {
  const ref = env.GITHUB_WORKFLOW_REF?.trim();
  const workflow = ref ? workflowFile(ref) : env.GITHUB_WORKFLOW?.trim();
  if (!workflow) return {};
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id, GITHUB_EVENT_NAME: event } = env;
  return {
    origin: {
      workflow,
      ...(event ? { event } : {}),
      ...(server && repo && id ? { runUrl: `${server}/${repo}/actions/runs/${id}` } : {}),
    },
  };
}

/** `.github/workflows/runbook-x.yml` from `owner/repo/.github/workflows/runbook-x.yml@refs/heads/main`. */
function workflowFile(ref: string): string {
  const path = ref.replace(/@[^@]*$/, '');
  const i = path.indexOf('/.github/workflows/');
  return i >= 0 ? path.slice(i + 1) : path;
}
