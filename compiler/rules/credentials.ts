import type { LoadedDoc } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import type { Rule, RuleContext } from './rule.js';

interface Detector {
  readonly what: string;
  /** Global, with indices (`d`); the credential itself is the group `v`. */
  readonly pattern: RegExp;
}

// Patterns from the providers' documented token formats (the ones GitHub secret scanning uses).
const detectors: readonly Detector[] = [
  { what: 'a URL with a password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:(?<v>[^\s@/]+)@/dgi },
  { what: 'an AWS access key id', pattern: /\b(?<v>(?:AKIA|ASIA)[0-9A-Z]{16})\b/dg },
  {
    what: 'an AWS secret access key',
    pattern: /aws_secret_access_key["']?\s*[=:]\s*["']?(?<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/dgi,
  },
  { what: 'a private key', pattern: /(?<v>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)/dg },
  { what: 'a GitHub token', pattern: /\b(?<v>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/dg },
  {
    what: 'a Slack webhook URL',
    pattern: /(?<v>(?:https?:\/\/)?hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]+)/dg,
  },
  { what: 'a password in a connection string', pattern: /(?:password|passwd|\bpwd)\s*=\s*["']?(?<v>[^\s;&'"]+)/dgi },
];

/**
 * Something every detector's match contains (case-insensitively, so it covers the case-sensitive
 * ones too): `://`, `AKIA`/`ASIA`, `aws_secret_access_key`, `-----BEGIN `, `gh?_`/`github_pat_`,
 * `hooks.slack.com`, `password`/`passwd`/`pwd`. Masking templates only replaces characters, so a
 * text without any of these cannot match after masking either. Keep in step with `detectors`.
 */
const mayHoldCredential =
  /:\/\/|akia|asia|aws_secret_access_key|-----begin |gh[pousr]_|github_pat_|hooks\.slack\.com|passw(?:or)?d|pwd/i;

/** Keys whose literal value is a credential whatever it looks like (`PGPASSWORD: hunter2`). */
const secretKey = /(?:^|[_-])(?:password|passwd|secret|token|api[_-]?key)$|^authorization$/i;

/**
 * `credential-literal` (warning): a literal in a step, rollback, input default or BackupPlan that
 * looks like a credential. Templates (`{{secrets.X}}`) and shell references (`$VAR`) are fine:
 * they are exactly how credentials should arrive.
 */
export const credentialsRule: Rule = {
  id: 'credentials',
  codes: ['credential-literal'],
  docs: 'No literal credentials in runbooks: passwords in URLs, AWS keys, private keys, tokens, webhooks.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      // A lowered BackupPlan's literals are the plan's own, scanned once below.
      if (unit.loweredFrom) continue;
      for (const ref of unit.deps.steps) scan(ctx, unit.doc, ref.step, ref.pointer);
      for (const [name, input] of Object.entries(unit.data.spec.inputs ?? {})) {
        scan(ctx, unit.doc, input.default, joinPointer('/spec/inputs', name, 'default'));
      }
    }
    for (const plan of ctx.backupPlans) scan(ctx, plan.doc, plan.data.spec, '/spec');
  },
};

function scan(ctx: RuleContext, doc: LoadedDoc, value: unknown, pointer: string, key = '', depth = 0): void {
  if (depth > 32) return;
  if (typeof value === 'string') return checkString(ctx, doc, value, pointer, key);
  if (Array.isArray(value)) return value.forEach((v, i) => scan(ctx, doc, v, joinPointer(pointer, i), key, depth + 1));
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) scan(ctx, doc, v, joinPointer(pointer, k), k, depth + 1);
  }
}

function checkString(ctx: RuleContext, doc: LoadedDoc, text: string, pointer: string, key: string): void {
  const hits = findCredentials(text);
  if (hits.length === 0 && secretKey.test(key) && isLiteral(text))
    hits.push({ start: 0, end: text.length, what: `a literal ${key}` });
  for (const hit of hits) {
    ctx.report(
      doc,
      pointer,
      'credential-literal',
      `this looks like ${hit.what}; credentials do not belong in the repository`,
      {
        within: { text, start: hit.start, end: hit.end },
        hint: 'list a secret under spec.secrets and write {{secrets.NAME}} (in a script: pass it through env: and use "$NAME")',
      },
    );
  }
}

/** Non-overlapping credential ranges in `text`, in order. */
export function findCredentials(text: string): { start: number; end: number; what: string }[] {
  // Nearly no string can match; the detectors are only run on one that could.
  if (!mayHoldCredential.test(text)) return [];
  // Templates are masked (same length) so that `user:{{secrets.P}}@host` is never a password.
  const masked = text.replace(/\{\{[\s\S]*?\}\}/g, (m) => '\u0001'.repeat(m.length));
  const hits: { start: number; end: number; what: string }[] = [];
  for (const { what, pattern } of detectors) {
    for (const m of masked.matchAll(pattern)) {
      const span = m.indices?.groups?.v;
      if (!span || !isLiteral(masked.slice(span[0], span[1]))) continue;
      hits.push({ start: span[0], end: span[1], what });
    }
  }
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  return hits.filter((h, i) => hits.slice(0, i).every((o) => o.end <= h.start || o.start >= h.end));
}

/** Not a reference (`$VAR`, `${VAR}`, a template) and not an obvious placeholder (`<password>`, `***`). */
function isLiteral(value: string): boolean {
  const v = value.trim();
  if (v === '' || v.includes('\u0001') || v.includes('{{')) return false;
  return !/^(?:\$|%\(|<.*>$|\*+$|x+$)/i.test(v);
}
