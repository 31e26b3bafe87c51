/**
 * TypeScript views of documents that passed their JSON Schema (`schemas/*.schema.json`). Values
 * are as written (durations are still strings); the schemas are the source of truth.
 */

export interface Metadata {
  name: string;
  title?: string;
  description?: string;
  /** When to use it (Markdown): the first thing its wiki page says. */
  whenToUse?: string;
  owner?: string;
  tier?: string;
  tags?: string[];
}

export interface InputSpec {
  type: 'string' | 'number' | 'boolean' | 'choice';
  description?: string;
  required?: boolean;
  default?: string | number | boolean;
  options?: (string | number)[];
}

export interface ApprovalSpec {
  approvers?: string[];
  required?: number;
  selfApproval?: boolean;
  allowUnsigned?: boolean;
  timeout?: string;
  /** How long a GitHub gate waits in the job before the run parks (issue 13). */
  parkAfter?: string;
  message?: string;
}

export interface RetrySpec {
  attempts?: number;
  delay?: string;
  backoff?: 'fixed' | 'exponential';
  maxDelay?: string;
}

export type FailurePolicy = 'abort' | 'continue' | 'rollback';

export interface StepBodySpec {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  timeout?: string;
  retry?: RetrySpec;
}

export interface StepSpec extends StepBodySpec {
  id: string;
  title?: string;
  description?: string;
  needs?: string[];
  if?: string;
  onFailure?: FailurePolicy;
  rollback?: StepBodySpec;
  idempotent?: boolean;
  estimate?: string;
  outputs?: Record<string, string>;
  assert?: string[];
  approval?: ApprovalSpec;
  irreversible?: boolean;
  recovery?: boolean;
}

export interface PhaseSpec {
  id: string;
  title?: string;
  description?: string;
  budget?: string;
  parallel?: boolean;
  steps: StepSpec[];
}

/** One `spec.updates` entry: `template` to `audience` every `every` until the run ends. */
export interface UpdateSpec {
  audience: string[];
  every: string;
  template: string;
  vars?: Record<string, unknown>;
}

export interface RunbookSpec {
  /** Cron (5 fields, UTC): the workflow also runs on this schedule, inputs at their defaults. */
  schedule?: string;
  /** Recurring updates while the run is in progress (see UpdateSpec). */
  updates?: UpdateSpec[];
  objectives?: { rto?: string; rpo?: string };
  inputs?: Record<string, InputSpec>;
  secrets?: string[];
  environment?: string;
  concurrency?: string;
  approvals?: ApprovalSpec;
  onFailure?: FailurePolicy;
  phases: PhaseSpec[];
  /** Steps run after the phases end, whatever the outcome (no `rollback`, no `onFailure`). */
  finally?: StepSpec[];
}

export interface RunbookDocData {
  apiVersion: string;
  kind: 'Runbook';
  metadata: Metadata;
  spec: RunbookSpec;
}

export interface TemplateVariableSpec {
  required?: boolean;
  description?: string;
  example?: unknown;
}

export interface TemplateDocData {
  apiVersion: string;
  kind: 'Template';
  metadata: Metadata;
  channel: string;
  subject?: string;
  variables?: Record<string, TemplateVariableSpec>;
  audience?: string[];
  customerFacing?: boolean;
}

export interface PersonSpec {
  name: string;
  github?: string;
  email?: string;
  phone?: string;
  slack?: string;
  signingKeys?: string[];
}
export interface TeamSpec {
  name?: string;
  github?: string;
  members?: string[];
  slack?: string;
  email?: string;
}
export interface RoleSpec {
  title?: string;
  primary: string;
  backup?: string;
  description?: string;
}
export interface TierSpec {
  rto?: string;
  rpo?: string;
  description?: string;
  drillInterval?: string;
}
export interface AudienceSpec {
  description?: string;
  teams?: string[];
  people?: string[];
  channels?: string[];
  external?: boolean;
  slackChannel?: string;
  webhook?: string;
  email?: string;
}
export interface SeverityNotifySpec {
  audience: string;
  within?: string;
  channels?: string[];
  updateEvery?: string;
}
export interface SeveritySpec {
  level: number;
  title?: string;
  description?: string;
  examples?: string[];
  notify?: SeverityNotifySpec[];
}
export interface DrillSpec {
  runbook: string;
  schedule: string;
  live?: boolean;
  inputs?: Record<string, unknown>;
}

export interface DirectorySpec {
  people?: Record<string, PersonSpec>;
  teams?: Record<string, TeamSpec>;
  roles?: Record<string, RoleSpec>;
  tiers?: Record<string, TierSpec>;
  audiences?: Record<string, AudienceSpec>;
  severities?: Record<string, SeveritySpec>;
  drills?: DrillSpec[];
}

export interface DirectoryDocData {
  apiVersion: string;
  kind: 'Directory';
  metadata: Metadata;
  spec: DirectorySpec;
}

export interface BackupTargetSpec {
  id: string;
  type: 'rds' | 'postgres';
  region?: string;
  dbInstanceIdentifier?: string;
  url?: string;
  method?: 'pg_dump' | 'pg_basebackup';
  directory?: string;
  /** (postgres) Cold/archive location backups move to after `retention.hot`. */
  archiveDirectory?: string;
}

export interface BackupCheckSpec {
  name: string;
  sql: string;
  expect?: string;
}

export interface BackupPlanSpec {
  schedule: string;
  tier?: string;
  objectives?: { rpo?: string; rto?: string };
  /** Run inputs, as a Runbook's (a scheduled run takes their defaults). */
  inputs?: Record<string, InputSpec>;
  targets: BackupTargetSpec[];
  retention?: { hot?: string; cold?: string; archive?: string };
  copyTo?: { region: string; kmsKeyId?: string }[];
  verify?: {
    instanceClass?: string;
    url?: string;
    checks?: BackupCheckSpec[];
    timeout?: string;
    scratchDatabase?: string;
  };
  notify?: { template: string; audience?: string[]; vars?: Record<string, unknown> };
  secrets?: string[];
}

export interface BackupPlanDocData {
  apiVersion: string;
  kind: 'BackupPlan';
  metadata: Metadata;
  spec: BackupPlanSpec;
}
