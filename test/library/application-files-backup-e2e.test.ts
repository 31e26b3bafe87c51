import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../support/cli.js';
import { libraryRoot } from '../support/library-root.js';

/**
 * The library's `application-files-backup` (B17: 004:84-88, 001:181-183) run for real through the
 * built CLI on temp directories: the data directory is archived, the archive's content and SHA-256
 * file are checked from outside, the off-site upload is skipped (empty `s3_bucket`: no AWS here),
 * and an archive past the 30-day retention is deleted while a younger one is kept.
 */
const { root, remove } = libraryRoot();
afterAll(remove);
const day = 86_400_000;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function seedData(dataDir: string): Map<string, string> {
  const files = new Map([
    ['uploads/invoice-1.pdf', `pdf-${Math.random()}`],
    ['uploads/nested/avatar.png', `png-${Math.random()}`],
    ['config/app.json', JSON.stringify({ salt: Math.random() })],
  ]);
  for (const [rel, text] of files) {
    mkdirSync(join(dataDir, rel, '..'), { recursive: true });
    writeFileSync(join(dataDir, rel), text);
  }
  return files;
}

function oldArchive(backupDir: string, name: string, ageDays: number): string {
  const path = join(backupDir, name);
  writeFileSync(path, 'old');
  const t = new Date(Date.now() - ageDays * day);
  utimesSync(path, t, t);
  return path;
}

describe('application-files-backup, real run on temp directories', { timeout: 120_000 }, () => {
  it('archives the data directory, checksums it, skips the upload and applies 30-day retention', async () => {
    const dataDir = join(root, 'app', 'data');
    const backupDir = join(root, 'backups');
    mkdirSync(backupDir, { recursive: true });
    const files = seedData(dataDir);
    const expired = oldArchive(backupDir, 'app_data_20200101_050000.tar.gz', 31);
    const young = oldArchive(backupDir, 'app_data_20200102_050000.tar.gz', 29);
    const unrelated = oldArchive(backupDir, 'notes.txt', 400);

    const args = ['run', 'application-files-backup', '--root', root, '--as', '@sre'];
    const inputs = { data_dir: dataDir, backup_dir: backupDir, s3_bucket: '' };
    for (const [k, v] of Object.entries(inputs)) args.push('--input', `${k}=${v}`);
    const r = await runCliAsync(args, {}, 90_000);
    expect(r.status, r.stdout + r.stderr).toBe(0);

    const steps = stepEndsOf(root, r.stdout);
    expect(steps['tar-data'].status).toBe('succeeded');
    expect(steps.upload.status).toBe('skipped');
    const out = steps['tar-data'].outputs as Record<string, string>;
    expect(out.name).toMatch(/^app_data_\d{8}_\d{6}\.tar\.gz$/);
    expect(out.sha256).toBe(sha256(out.archive));
    expect(readFileSync(`${out.archive}.sha256`, 'utf8')).toBe(`${out.sha256}  ${out.name}\n`);
    expect(Number(out.files)).toBe(files.size);

    // The archive holds every file under data/, byte for byte.
    const extracted = join(root, 'extracted');
    mkdirSync(extracted);
    execFileSync('tar', ['-xzf', out.archive, '-C', extracted]);
    for (const [rel, text] of files) expect(readFileSync(join(extracted, 'data', rel), 'utf8')).toBe(text);

    expect((steps['prune-old-archives'].outputs as Record<string, string>).deleted).toBe('1');
    expect(existsSync(expired)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
    expect(readdirSync(backupDir).sort()).toEqual(
      [out.name, `${out.name}.sha256`, 'app_data_20200102_050000.tar.gz', 'notes.txt'].sort(),
    );
  });

  it('fails, without writing an archive, when the data directory is missing', async () => {
    const backupDir = join(root, 'backups-missing');
    const args = ['run', 'application-files-backup', '--root', root, '--as', '@sre'];
    args.push('--input', `data_dir=${join(root, 'no-such-dir')}`, '--input', `backup_dir=${backupDir}`);
    args.push('--input', 's3_bucket=');
    const r = await runCliAsync(args, {}, 90_000);
    expect(r.status, r.stdout + r.stderr).toBe(4);
    const steps = stepEndsOf(root, r.stdout);
    expect(steps['tar-data'].status).toBe('failed');
    expect(existsSync(backupDir)).toBe(false);
  });
});
