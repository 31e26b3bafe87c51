/**
 * Whether another attempt of the step could succeed: `depends` codes take `retryable` from the
 * throw site (the SQLSTATE of a `sql-error` decides it), the others always have the table's value.
 */
export type Retryable = 'yes' | 'no' | 'depends';
/**
 * Who has to act: `user` when the fix is in what a person wrote or answered (the runbook, its
 * inputs, an approval); `environment` when it is in the systems the run acts on or runs in (IAM,
 * network, the provider); `either` when the code alone cannot tell.
 */
export type Cause = 'user' | 'environment' | 'either';

interface CodeDoc {
  readonly retryable: Retryable;
  readonly cause: Cause;
  readonly docs: string;
}

/**
 * Every code an ActionError (and the `code` of a `step:retry` / `step:end` event) can have: a
 * closed set, like the compiler's diagnostic codes. `docs/action-error-codes.md` is generated from
 * this table. Provider codes (AWS error names, SQLSTATEs, HTTP statuses) never appear here: an
 * ActionError carries them in `providerCode`.
 */
export const actionErrorCodes = {
  // ── the runbook or a person's answer ──────────────────────────────────────────────
  'bad-params': {
    retryable: 'no',
    cause: 'user',
    docs: 'A parameter has a value the action cannot use, found by the action itself: a malformed duration, date or connection URL, a missing or conflicting choice, an empty value from an earlier step, a server that is not the one the parameter should name.',
  },
  'invalid-request': {
    retryable: 'no',
    cause: 'user',
    docs: 'The provider rejected the request as invalid (AWS `InvalidParameterValue`, `InvalidChangeBatch`, any other client fault); `providerCode` names it.',
  },
  'unknown-action': {
    retryable: 'no',
    cause: 'either',
    docs: 'The step uses an action this executor does not have (a graph compiled by another version of the tool).',
  },
  'shell-output': {
    retryable: 'no',
    cause: 'user',
    docs: 'The script wrote a `$RUNBOOK_OUTPUT` file the executor cannot read: a malformed line, or more than the size limit.',
  },
  'not-confirmed': {
    retryable: 'no',
    cause: 'user',
    docs: 'A person answered no to a manual step or a checklist item.',
  },
  'no-evidence': {
    retryable: 'no',
    cause: 'user',
    docs: 'A manual step that requires evidence was confirmed without a note or link.',
  },
  'approval-refused': {
    retryable: 'no',
    cause: 'user',
    docs: "An approver refused the step's approval (the message quotes the reason, masked).",
  },
  'refused-unsafe': {
    retryable: 'no',
    cause: 'user',
    docs: 'The action refused to act because it would break a safety rule, e.g. pruning snapshots that the automated backups do not cover.',
  },
  'assert-failed': {
    retryable: 'yes',
    cause: 'either',
    docs: "The step's `assert:` did not hold for the action's result; retried, as the state it checks may still change.",
  },
  'subrun-failed': {
    retryable: 'no',
    cause: 'either',
    docs: 'The runbook a `runbook` step started ended without succeeding; its own audit records say why.',
  },
  // ── credentials, permissions and configuration ────────────────────────────────────
  'auth-failed': {
    retryable: 'no',
    cause: 'environment',
    docs: 'The credentials are missing, invalid or expired, or the server refused them (AWS token errors, no credentials in the standard chain, PostgreSQL SQLSTATE class 28, SCRAM without a password).',
  },
  'access-denied': {
    retryable: 'no',
    cause: 'environment',
    docs: "Authenticated but not allowed: the run's IAM role lacks the API action, or PostgreSQL denied the privilege (SQLSTATE 42501).",
  },
  config: {
    retryable: 'no',
    cause: 'environment',
    docs: "The tool's environment is incomplete or wrong: no AWS region, a TLS certificate that does not verify, a server without SSL.",
  },
  'quota-exceeded': {
    retryable: 'no',
    cause: 'environment',
    docs: 'A provider quota is exhausted (an AWS `…QuotaExceeded` error); someone has to raise it or free capacity.',
  },
  // ── the resources acted on ────────────────────────────────────────────────────────
  'not-found': {
    retryable: 'no',
    cause: 'either',
    docs: 'The resource named does not exist: an RDS instance or snapshot, a hosted zone, a health check; `providerCode` says which (`DBInstanceNotFound`).',
  },
  'already-exists': {
    retryable: 'no',
    cause: 'either',
    docs: 'The resource to create already exists (an AWS `…AlreadyExists` error).',
  },
  'invalid-state': {
    retryable: 'no',
    cause: 'either',
    docs: 'The resource is in a state where the action cannot proceed: an RDS instance that is busy or not a replica (`InvalidDBInstanceState`), a PostgreSQL server that is not the standby or primary it should be, a resource that reached `failed` or `deleted` while it was waited for.',
  },
  'wait-timeout': {
    retryable: 'yes',
    cause: 'either',
    docs: "A wait gave up after its own timeout because the condition never held: `wait`'s polls, an AWS waiter, `postgres.promote` waiting for the end of recovery.",
  },
  'sql-error': {
    retryable: 'depends',
    cause: 'either',
    docs: 'PostgreSQL rejected the statement; `providerCode` is the SQLSTATE, which decides `retryable`: connection, shutdown, serialization, lock and statement-timeout classes retry; syntax, undefined-object, data and read-only ones (25006) do not.',
  },
  'http-status': {
    retryable: 'yes',
    cause: 'either',
    docs: '`http.check` got a status outside `expectStatus` (`providerCode` is the status).',
  },
  'http-body': {
    retryable: 'yes',
    cause: 'either',
    docs: '`http.check` got an expected status, but the body does not match `expectBody`.',
  },
  'shell-exit': {
    retryable: 'yes',
    cause: 'either',
    docs: 'The script exited with a non-zero status (`providerCode`); the message ends with the last lines of its stderr, masked.',
  },
  'shell-spawn': {
    retryable: 'no',
    cause: 'environment',
    docs: 'The shell could not be started (a missing interpreter, a working directory that does not exist).',
  },
  'shell-signal': {
    retryable: 'yes',
    cause: 'environment',
    docs: 'The script was killed by a signal the executor did not send (the OOM killer, a person).',
  },
  // ── the network and the provider ──────────────────────────────────────────────────
  network: {
    retryable: 'yes',
    cause: 'environment',
    docs: 'The server could not be reached or the connection broke (refused, reset, DNS failure, timeout); `providerCode` holds the socket error (`ECONNREFUSED`).',
  },
  throttled: {
    retryable: 'yes',
    cause: 'environment',
    docs: "The provider throttled the calls and the SDK's own retries are spent; the step's `retry:` may still succeed later.",
  },
  'provider-error': {
    retryable: 'yes',
    cause: 'environment',
    docs: 'The provider failed on its side: an AWS server fault, an HTTP 5xx from a proxy or outage page, an AWS error the tool does not classify.',
  },
  'notify-failed': {
    retryable: 'yes',
    cause: 'environment',
    docs: 'Some deliveries of a notification failed (an HTTP error, an unreachable hook); the message lists which.',
  },
  // ── the executor ─────────────────────────────────────────────────────────────────
  'rollback-data-masked': {
    retryable: 'no',
    cause: 'either',
    docs: 'The rollback data journaled before the effect holds secret values, masked in the audit log, that the secrets set now do not restore: the rollback cannot know what to restore.',
  },
  injected: {
    retryable: 'yes',
    cause: 'environment',
    docs: 'A fault injected by `runbook drill` (`fail`, `flaky`).',
  },
  timeout: {
    retryable: 'yes',
    cause: 'either',
    docs: "The step's attempt ran past its `timeout:` (status `timed-out`). Given by the executor; actions do not throw it.",
  },
  cancelled: {
    retryable: 'no',
    cause: 'either',
    docs: 'The run was being stopped (SIGINT or SIGTERM, an abort policy) while the step ran.',
  },
  internal: {
    retryable: 'yes',
    cause: 'either',
    docs: 'An error that is not an ActionError: an unexpected exception, probably a bug in the tool; the message is all there is. Given by the executor; actions do not throw it.',
  },
} as const satisfies Record<string, CodeDoc>;

export type ActionErrorCode = keyof typeof actionErrorCodes;

/** The codes whose retryability the throw site decides. */
export type DependsCode = {
  [K in ActionErrorCode]: (typeof actionErrorCodes)[K]['retryable'] extends 'depends' ? K : never;
}[ActionErrorCode];
