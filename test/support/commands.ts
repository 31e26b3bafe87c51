import { spawnSync } from 'node:child_process';

/** Why a test that runs these commands is skipped (the first one missing from PATH), or undefined. */
export function missingCommands(...names: string[]): string | undefined {
  const missing = names.filter((n) => spawnSync('sh', ['-c', `command -v ${n}`]).status !== 0);
  return missing.length ? `missing ${missing.join(', ')} (.ci/run installs them)` : undefined;
}
