import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { packageRoot } from '../../compiler/actions/catalog.js';
import { ExitCode } from '../exit-codes.js';
import { starterFiles } from '../init/starter-files.js';

export interface InitOptions {
  /** How package.json pins the tool: a version, a tarball or folder path, or any npm spec. Default: this version. */
  readonly tool?: string;
  readonly force?: boolean;
}

/**
 * `runbook init [dir]`: scaffolds an adopter repository (package.json pinning the tool, runbooks/
 * with a Directory, a template and a starter runbook, .gitignore). Never overwrites a file unless
 * `--force`: a repository that already has any of them is refused as a whole, so nothing is half
 * written.
 */
export function initCommand(dir: string | undefined, o: InitOptions): number {
  const target = resolve(dir ?? process.cwd());
  const tool = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const files = starterFiles(packageName(target), tool.name, toolSpec(o.tool, tool.version, target));
  const existing = files.map(([p]) => p).filter((p) => existsSync(join(target, p)));
  if (existing.length > 0 && !o.force) {
    process.stderr.write(
      `init: refusing to overwrite existing files in ${target}:\n${existing.map((p) => `  ${p}`).join('\n')}\n` +
        'hint: move them away, or pass --force to replace them\n',
    );
    return ExitCode.Problems;
  }
  for (const [path, content] of files) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), content);
  }
  const rel = relative(process.cwd(), target);
  const cd = rel.startsWith('..') ? target : rel;
  process.stdout.write(
    `${files.map(([p]) => `created  ${p}`).join('\n')}\n\nnext:\n${cd ? `  cd ${cd}\n` : ''}` +
      '  npm install\n  npx runbook compile     # writes generated/ and .github/workflows/\n  git add -A && git commit -m "Runbooks"\n' +
      auditDbHint,
  );
  return ExitCode.Ok;
}

/**
 * How to give CI runs a journal and a lock that outlive a runner (issue 13). No URL here carries a
 * password: the administrator's comes from PGPASSWORD or ~/.pgpass, the writer's is a secret.
 */
const auditDbHint =
  '\nthen, for runs on GitHub (recommended), an audit database: any managed PostgreSQL the runners can reach:\n' +
  '  npx runbook audit db-setup --audit-db postgres://ADMIN@HOST/DB   # once, as an administrator (superuser or CREATEROLE):\n' +
  '                                       # creates runbook_audit, its trigger, the owner and writer roles\n' +
  "  CREATE ROLE ci_runner LOGIN PASSWORD '…' IN ROLE runbook_audit_writer;   # a login for runs\n" +
  "  set the repository secret RUNBOOK_AUDIT_DB to that writer login's URL (Settings → Secrets → Actions)\n" +
  '  it gives: resume of a lost run on any runner, one lock across runners, approval gates that park the run\n' +
  '  instead of holding a runner (resumed by an /approve comment)\n';

/**
 * The dependency spec: the running version by default (exact, so upgrades are deliberate), else
 * what `--tool` says. A path to a tarball or folder becomes `file:` relative to the repository, so
 * the lockfile records it the way `npm install ./x.tgz` would.
 */
function toolSpec(spec: string | undefined, version: string, target: string): string {
  if (!spec) return version;
  const looksLikePath = spec.startsWith('.') || isAbsolute(spec) || /\.(tgz|tar\.gz)$/.test(spec);
  if (!looksLikePath || spec.startsWith('file:')) return spec;
  const rel = relative(target, resolve(spec)).split('\\').join('/');
  return `file:${rel.startsWith('.') ? rel : `./${rel}`}`;
}

/** An npm package name from the folder's name (lower case, no spaces). */
function packageName(target: string): string {
  return (
    basename(target)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+/, '') || 'runbooks'
  );
}
