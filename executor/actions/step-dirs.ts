import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from '../core/pid-alive.js';

const prefix = 'runbook-step-';

/** A private temp dir for one shell step (script, outputs), named after this process. */
export function newStepDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix}${process.pid}-`));
}

/**
 * Removes step dirs left by executors that died (`kill -9` skips every `finally`): their output
 * files may hold what a script wrote, secrets included. Best effort, at the start of every run;
 * dirs of live processes are left alone.
 */
export async function removeOrphanStepDirs(alive: (pid: number) => boolean = pidAlive): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/^runbook-step-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    await rm(join(tmpdir(), name), { recursive: true, force: true }).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}
