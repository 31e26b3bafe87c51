/**
 * What `runbook init` writes into an adopter's repository: the smallest tree the compiler accepts
 * and a run can complete without any external system (a shell step, a manual confirmation a
 * dry run walks through), in the shape of this repository's library (runbooks/directory.yaml,
 * runbooks/templates/, one runbook per file). Kept as strings so the installed package needs no
 * asset files besides schemas/.
 */

/** The adopter's package.json: the tool pinned exactly, so `npm ci` in CI installs what was reviewed. */
export function starterPackageJson(name: string, toolName: string, toolSpec: string): string {
  const pkg = {
    name,
    private: true,
    description: 'Operational runbooks, compiled and run by runbook-as-code',
    scripts: { validate: 'runbook validate', compile: 'runbook compile', check: 'runbook compile --check' },
    dependencies: { [toolName]: toolSpec },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** Journals and audit logs stay on the machine (CI uploads them as artifacts); dependencies are installed. */
export const starterGitignore = `# runbook journals, locks and audit logs (CI keeps them as artifacts)
.runbook/
node_modules/
`;

export const starterDirectory = `# The Directory: people, teams and recovery tiers the runbooks refer to (one per repository).
# Replace the placeholder person and team with yours; \`github\` handles decide who may approve.
apiVersion: runbook/v1
kind: Directory
metadata:
  name: directory
  title: On-call directory
spec:
  people:
    jane-doe: { name: Jane Doe, github: "@jane-doe", email: jane@example.com }
  teams:
    sre: { name: SRE, github: "@my-org/sre", members: [jane-doe] }
  tiers:
    critical: { rto: 1h, rpo: 15m }
    standard: { rto: 1d }
  audiences:
    engineering:
      description: The on-call engineers.
      teams: [sre]
      channels: [slack]
      external: false
      slackChannel: "#incident-response"
`;

export const starterTemplate = `---
apiVersion: runbook/v1
kind: Template
metadata: { name: status-update, title: Status update }
channel: slack
subject: "{{runbook.title}}: {{status}}"
audience: [engineering]
variables:
  status: { required: true, description: Where the run stands, example: started }
---
{{runbook.title}} is {{status}} (run {{run.id}}{{#if drill}}, drill{{/if}}).
`;

export const starterRunbook = `# A first runbook: edit it, then \`npx runbook validate\` and \`npx runbook compile\`.
# The format is described in the runbook-as-code README and docs/format-reference.md.
apiVersion: runbook/v1
kind: Runbook
metadata:
  name: service-health-check
  title: Service health check
  owner: "@my-org/sre"
  tier: standard
  description: Checks that the service answers; a starting point for your own runbooks.
spec:
  objectives: { rto: 15m }
  inputs:
    service:
      type: string
      default: my-service
      description: Name of the service to check.
  phases:
    - id: check
      title: Check the service
      budget: 5m
      steps:
        - id: announce
          title: Say what is checked
          # Scripts are not rendered: values reach them through env: only.
          env: { SERVICE: "{{inputs.service}}" }
          run: echo "checking $SERVICE"
          timeout: 30s
          estimate: 1s
`;

/** Relative path → content, in the order they are written. */
export function starterFiles(
  name: string,
  toolName: string,
  toolSpec: string,
): ReadonlyArray<readonly [string, string]> {
  return [
    ['package.json', starterPackageJson(name, toolName, toolSpec)],
    ['.gitignore', starterGitignore],
    ['runbooks/directory.yaml', starterDirectory],
    ['runbooks/templates/status-update.md.hbs', starterTemplate],
    ['runbooks/service-health-check.yaml', starterRunbook],
  ];
}
