import type { Severity } from './severity.js';

interface CodeDoc {
  readonly severity: Severity;
  readonly title: string;
  readonly docs: string;
}

/**
 * Every diagnostic code the compiler can report: a closed set. `docs/diagnostics.md` is generated
 * from this table, so a code cannot exist without its documentation.
 */
export const diagnosticCodes = {
  // ── reading files ────────────────────────────────────────────────────────────────
  'read-error': {
    severity: 'error',
    title: 'File cannot be read',
    docs: 'The file could not be read, is not UTF-8 text, or is larger than the size limit.',
  },
  'yaml-syntax': {
    severity: 'error',
    title: 'YAML syntax error',
    docs: 'The YAML parser rejected the text (bad indentation, tabs, unclosed quotes, duplicate keys…).',
  },
  'yaml-too-complex': {
    severity: 'error',
    title: 'YAML too large or too deep',
    docs: 'The document has more than 100,000 nodes, nesting is deeper than 64 levels, or the file holds more than 100 YAML documents. Reported at the node past the limit (or the alias whose expansion crossed it); the document is rejected rather than expanded.',
  },
  'yaml-alias-limit': {
    severity: 'error',
    title: 'YAML aliases expand too much',
    docs: 'Aliases (`*name`) are expanded more than 10,000 times in one document, expand to more than 1 MiB of text, or make the document larger than 100,000 nodes: an alias bomb, which would stall every later stage. Reported at the alias written in the document whose expansion crossed the limit; the document is rejected rather than expanded.',
  },
  'markdown-too-complex': {
    severity: 'error',
    title: 'Markdown too deep or too large',
    docs: 'A Markdown body nests quotes or lists deeper than 32 levels, or has more than 2,000 headings: more than any runbook needs, and enough to make reading it slow. Reported at the first node past the limit; the file is rejected.',
  },
  'front-matter-missing': {
    severity: 'error',
    title: 'Missing front matter',
    docs: 'A Markdown or Handlebars file under runbooks/ must start with YAML front matter (`---`) declaring `apiVersion` and `kind`.',
  },
  'markdown-structure': {
    severity: 'error',
    title: 'Markdown runbook structure',
    docs: 'Content of a Markdown runbook that cannot be placed: a step outside a phase, a code block outside a step, two commands in one step, a bad `{#id key=value}` attribute.',
  },
  'unknown-kind': {
    severity: 'error',
    title: 'Unknown apiVersion or kind',
    docs: '`apiVersion` must be `runbook/v1` and `kind` one of Runbook, BackupPlan, Template, Checklist, Directory.',
  },
  'duplicate-name': {
    severity: 'error',
    title: 'Duplicate name',
    docs: '`metadata.name` must be unique per kind across the whole tree.',
  },
  'duplicate-directory': {
    severity: 'error',
    title: 'More than one Directory',
    docs: 'The tree may hold at most one Directory; people, teams and roles are looked up there.',
  },
  // ── schema ───────────────────────────────────────────────────────────────────────
  'missing-field': {
    severity: 'error',
    title: 'Required field missing',
    docs: 'A field the schema requires is absent.',
  },
  'unknown-field': {
    severity: 'error',
    title: 'Unknown field',
    docs: 'A field the schema does not define; usually a typo. Vendor extensions must start with `x-`.',
  },
  'wrong-type': {
    severity: 'error',
    title: 'Wrong type',
    docs: 'A value has the wrong type (e.g. a list where a map is expected).',
  },
  'invalid-value': {
    severity: 'error',
    title: 'Invalid value',
    docs: 'A value breaks a schema constraint: not in the allowed set, out of range, wrong pattern.',
  },
  'invalid-duration': {
    severity: 'error',
    title: 'Invalid duration',
    docs: 'Durations are written `500ms`, `30s`, `15m`, `1h`, `1h30m`, `2d`: units in descending order, each once.',
  },
  'invalid-with': {
    severity: 'error',
    title: 'Invalid action parameters',
    docs: "A step's `with` does not match the action's JSON Schema in `schemas/actions/`.",
  },
  // ── steps and graph ──────────────────────────────────────────────────────────────
  'step-action': {
    severity: 'error',
    title: 'Step needs exactly one of uses/run',
    docs: 'A step (or rollback body) must say what it does with `uses:` or `run:`, not both and not neither.',
  },
  'unknown-action': {
    severity: 'error',
    title: 'Unknown action',
    docs: '`uses:` names an action that is not in the catalogue (`schemas/actions/`).',
  },
  'duplicate-id': {
    severity: 'error',
    title: 'Duplicate id',
    docs: 'Step ids must be unique within a runbook; phase ids too.',
  },
  'unknown-need': {
    severity: 'error',
    title: 'Unknown dependency',
    docs: '`needs:` names a step that does not exist in the runbook.',
  },
  'forward-need': {
    severity: 'error',
    title: 'Dependency on a later phase',
    docs: '`needs:` names a step of a later phase; phases run in order, so it could never be satisfied.',
  },
  cycle: {
    severity: 'error',
    title: 'Dependency cycle',
    docs: 'Steps depend on each other in a cycle; the message prints the cycle.',
  },
  'self-need': { severity: 'error', title: 'Step needs itself', docs: 'A step lists its own id in `needs:`.' },
  'empty-phase': { severity: 'error', title: 'Phase without steps', docs: 'Every phase needs at least one step.' },
  // ── expressions ──────────────────────────────────────────────────────────────────
  'template-syntax': {
    severity: 'error',
    title: 'Template syntax error',
    docs: 'A `{{ }}` expression does not parse as Handlebars.',
  },
  'unknown-root': {
    severity: 'error',
    title: 'Unknown expression root',
    docs: 'An expression starts with a name that is not a context root (`inputs`, `secrets`, `steps`, `run`, and `result`/`outputs` inside `outputs` and `assert`).',
  },
  'unknown-helper': {
    severity: 'error',
    title: 'Unknown helper',
    docs: 'An expression calls a helper that does not exist. Helpers: eq ne lt le gt ge and or not default json duration.',
  },
  'unknown-input': {
    severity: 'error',
    title: 'Unknown input',
    docs: 'An expression refers to `inputs.X` but the runbook declares no input X.',
  },
  'unknown-secret': {
    severity: 'error',
    title: 'Unknown secret',
    docs: 'An expression refers to `secrets.X` but `spec.secrets` does not list X.',
  },
  'unknown-step': {
    severity: 'error',
    title: 'Unknown step',
    docs: 'An expression refers to `steps.X` but the runbook has no step X.',
  },
  'unknown-output': {
    severity: 'error',
    title: 'Unknown step output',
    docs: "An expression reads `steps.X.outputs.Y` but step X never produces Y: an action's outputs are the fields of its result (`x-result` in schemas/actions/) plus the step's declared `outputs:`. A `shell` step's outputs are free-form (whatever it writes to `$RUNBOOK_OUTPUT`) unless it declares `outputs:`.",
  },
  'non-ancestor-ref': {
    severity: 'error',
    title: 'Reference to a step that may not have run',
    docs: 'An expression reads `steps.X` but X is not an ancestor of the step in the graph, so its value could be missing or racing. Add X to `needs:`.',
  },
  'template-in-run': {
    severity: 'error',
    title: 'Template inside a run script',
    docs: 'A `run:` script is never rendered: pass values through `env:` and use `"$VAR"` in the script (the script-injection rule GitHub recommends).',
  },
  'template-in-sql': {
    severity: 'warning',
    title: 'Template inside SQL text',
    docs: 'A `{{ }}` in the `sql` of `postgres.query` renders a value into the SQL text, where it becomes SQL (injection). Pass values as bind parameters: `params: ["{{inputs.x}}"]` and `$1`.',
  },
  'secret-in-output': {
    severity: 'warning',
    title: 'Secret rendered into output',
    docs: 'A secret is rendered into a field that is printed (a title, a message or an output); it will be masked, but the field is probably wrong.',
  },
  // ── references between files ─────────────────────────────────────────────────────
  'unknown-template': {
    severity: 'error',
    title: 'Unknown Template',
    docs: 'A `notify` step or BackupPlan names a Template that does not exist.',
  },
  'undeclared-template-variable': {
    severity: 'error',
    title: 'Template variable not declared',
    docs: "A Template's body uses a variable its front matter does not declare under `variables`.",
  },
  'missing-template-variable': {
    severity: 'error',
    title: 'Required Template variable not supplied',
    docs: 'A `notify` step does not supply, in `vars`, a variable the Template declares as required.',
  },
  'unknown-template-variable': {
    severity: 'warning',
    title: 'Template variable not used',
    docs: 'A `notify` step supplies a variable the Template does not declare.',
  },
  'unknown-checklist': {
    severity: 'error',
    title: 'Unknown Checklist',
    docs: 'A `checklist` step names a Checklist that does not exist.',
  },
  'unknown-check': {
    severity: 'error',
    title: 'Unknown check step',
    docs: 'A checklist item is bound (`<!-- check: id -->`) to a step that does not exist.',
  },
  'unknown-team': {
    severity: 'error',
    title: 'Unknown team or person',
    docs: 'An owner or approver (`@org/team` or `@user`) is not in the Directory.',
  },
  'unknown-role': {
    severity: 'error',
    title: 'Unknown role',
    docs: 'A `manual` step assignee or a template reference names a role the Directory does not define.',
  },
  'unknown-person': {
    severity: 'error',
    title: 'Unknown person',
    docs: 'A Directory team or role names a person id that is not under `people`.',
  },
  'unknown-audience': {
    severity: 'error',
    title: 'Unknown audience',
    docs: 'A `notify` step or severity names an audience the Directory does not define.',
  },
  'unknown-tier': {
    severity: 'error',
    title: 'Unknown tier',
    docs: '`metadata.tier` or a BackupPlan tier names a tier the Directory does not define.',
  },
  'unknown-runbook': {
    severity: 'error',
    title: 'Unknown runbook',
    docs: 'A `runbook` step or drill names a Runbook that does not exist.',
  },
  'objectives-exceed-tier': {
    severity: 'warning',
    title: 'Objectives weaker than the tier',
    docs: "The runbook's RTO or RPO is longer than its tier's objective in the Directory.",
  },
  // ── safety ───────────────────────────────────────────────────────────────────────
  'rollback-on-irreversible': {
    severity: 'error',
    title: 'Rollback on an irreversible step',
    docs: 'A step marked `irreversible: true` is a point of no return; it cannot have a `rollback`.',
  },
  'credential-literal': {
    severity: 'warning',
    title: 'Literal looks like a credential',
    docs: 'A literal value looks like a secret (a URL with a password, an AWS access key, a private key, a token). Move it to `spec.secrets` and refer to it as `{{secrets.NAME}}`.',
  },
  'approval-without-approvers': {
    severity: 'error',
    title: 'Approval with no approvers',
    docs: 'An approval gate names nobody who may approve (neither on the gate nor in `spec.approvals`); it would accept no one.',
  },
  'signing-key-shared': {
    severity: 'error',
    title: 'Signing key listed for two people',
    docs: 'The same SSH public key is listed in `signingKeys` of two Directory people: whoever holds it could sign approvals as both, so one person would count twice.',
  },
  'signing-key-without-github': {
    severity: 'error',
    title: 'Signing keys without a GitHub login',
    docs: 'A Directory person has `signingKeys` but no `github` login: signed approvals are verified for a login, so these keys could never count.',
  },
  'irreversible-without-approval': {
    severity: 'warning',
    title: 'Point of no return without approval',
    docs: 'An irreversible step runs without any approval gate before it (no `approval` on it or its ancestors, no `approval` step ancestor, no runbook `approvals`/`environment`).',
  },
  'invalid-cron': {
    severity: 'error',
    title: 'Invalid cron expression',
    docs: 'A schedule is not a valid 5-field cron expression (UTC).',
  },
  'schedule-input-required': {
    severity: 'error',
    title: 'Scheduled run without a required input',
    docs: 'A scheduled Runbook or BackupPlan has a required input without a default: a scheduled run passes no inputs, so every one would fail at its start.',
  },
  'choice-default': {
    severity: 'error',
    title: 'Input default not allowed',
    docs: "An input's default does not match its type, or a `choice` default is not one of its options; a `choice` input needs `options`.",
  },
  'unused-secret': {
    severity: 'warning',
    title: 'Secret declared but never used',
    docs: 'A secret in `spec.secrets` is never referenced; it would still be passed to the run.',
  },
  'unused-input': {
    severity: 'warning',
    title: 'Input declared but never used',
    docs: 'An input is never referenced by any expression.',
  },
  'timeout-below-estimate': {
    severity: 'warning',
    title: 'Timeout shorter than estimate',
    docs: "A step's `timeout` is shorter than its `estimate`, so it would time out on an expected run.",
  },
  // ── time objectives ──────────────────────────────────────────────────────────────
  'budget-exceeded': {
    severity: 'error',
    title: 'Phase over budget',
    docs: "The critical path of the phase's step estimates is longer than its `budget`.",
  },
  'rto-exceeded': {
    severity: 'error',
    title: 'Runbook over RTO',
    docs: 'The critical path of estimates through all phases is longer than `objectives.rto`.',
  },
  'budget-worst-case': {
    severity: 'warning',
    title: 'Phase worst case over budget',
    docs: 'With every step taking its timeout on every attempt plus retry delays, the phase exceeds its `budget`.',
  },
  'rto-worst-case': {
    severity: 'warning',
    title: 'Worst case over RTO',
    docs: 'With every step taking its timeout on every attempt plus retry delays, the runbook exceeds its RTO.',
  },
  'missing-estimate': {
    severity: 'info',
    title: 'Step without estimate',
    docs: 'A step in a phase with a budget has no `estimate`; it counts as zero in the RTO analysis.',
  },
  // ── run requests and generated workflows ─────────────────────────────────────────
  'run-request-file': {
    severity: 'error',
    title: 'RunRequest file name or location',
    docs: 'A RunRequest lives in `runs/` as `runs/<yyyy-mm-dd>-<slug>.yaml` (a real date, a kebab-case slug) and its `metadata.name` is that base name; `runs/` holds RunRequests only.',
  },
  'run-request-unknown-runbook': {
    severity: 'error',
    title: 'RunRequest names an unknown runbook',
    docs: "A RunRequest's `spec.runbook` names no Runbook or BackupPlan in the tree.",
  },
  'run-request-unknown-input': {
    severity: 'error',
    title: 'RunRequest input not declared',
    docs: 'A RunRequest sets an input the runbook does not declare under `spec.inputs`; the run would be refused.',
  },
  'run-request-missing-input': {
    severity: 'error',
    title: 'RunRequest lacks a required input',
    docs: 'The runbook declares a required input without a default and the RunRequest does not set it.',
  },
  'run-request-invalid-input': {
    severity: 'error',
    title: 'RunRequest input has a bad value',
    docs: "An input value does not fit its type: not a number, not a boolean (`true`/`false`, `yes`/`no`, `1`/`0`, `on`/`off`), or not one of a `choice` input's options. Values are checked exactly as the executor will.",
  },
  'workflow-reserved-name': {
    severity: 'error',
    title: 'Name reserved by the generated workflows',
    docs: "The generated GitHub workflows use these names themselves: a runbook may not be named `pr`, `run-request`, `drills` or `resume` (`runbook-pr.yml`, `runbook-run-request.yml`, `runbook-drills.yml`, `runbook-resume.yml`), an input may not be named `dry_run` or `drill` (workflow inputs), and a secret may not start with `GITHUB_` (GitHub refuses such secrets; `GITHUB_TOKEN` is allowed and comes from `github.token`) or `RUNBOOK_` (the runner's own variables).",
  },
  'workflow-expression': {
    severity: 'error',
    title: 'Expression syntax in a workflow field',
    docs: '`spec.environment` and `spec.concurrency` are copied into the generated workflow, where GitHub evaluates `${{ }}`; they must be plain names.',
  },
  'workflow-too-many-inputs': {
    severity: 'error',
    title: 'Too many inputs for workflow_dispatch',
    docs: 'GitHub accepts at most 25 `workflow_dispatch` inputs; the generated workflow adds `dry_run` and `drill`, so a runbook may declare at most 23.',
  },
  // ── drills (load/drill-records.ts, rules/drill-freshness.ts) ───────────────────────────
  'drill-record-invalid': {
    severity: 'error',
    title: 'Malformed drill record',
    docs: 'A file under `drills/records/` is not a drill record: not JSON, not of the shape `schemas/drill-record.schema.json` describes, or not named `<runId>.json`. Records are written by `runbook drill`; a damaged one is lost audit evidence, so it is an error rather than silently ignored.',
  },
  'ci-exercises-invalid': {
    severity: 'error',
    title: 'Malformed CI exercises file',
    docs: "`drills/ci-exercises.json` (optional: which runbooks the repository's CI runs for real or as a dry run, shown on the wiki's Library page) is not an object with an `exercises` list of `{kind, name, mode, tests}` entries, or lists a runbook twice.",
  },
  'drill-overdue': {
    severity: 'warning',
    title: 'Drill overdue',
    docs: "A runbook whose tier has a `drillInterval` (tier `critical`: 90d when the Directory sets none) has no successful live drill record within that interval before the reference date. Only records with `status: succeeded` and `mode: live` count; dry-run drills exercise no effect and never count. The reference date is the newest drill record's `endedAt`, or a later `today` the caller passes (`RUNBOOK_TODAY`); never the wall clock, so the same files always give the same findings. Without any record and without `today` nothing is overdue.",
  },
  'drill-stale': {
    severity: 'warning',
    title: 'Runbook changed since its last drill',
    docs: "The graph hash of a runbook's last successful live drill record differs from the runbook's current plan hash: what was drilled is no longer what would run. Reported for runbooks whose tier has a drill interval; a new live drill clears it.",
  },
} as const satisfies Record<string, CodeDoc>;

export type DiagnosticCode = keyof typeof diagnosticCodes;

export function defaultSeverity(code: DiagnosticCode): Severity {
  return diagnosticCodes[code].severity;
}
