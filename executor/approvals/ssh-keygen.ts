import { spawn } from 'node:child_process';

export interface SshKeygenResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs OpenSSH's `ssh-keygen` (from PATH) with `input` on stdin. `-Y sign` and `-Y verify` read
 * the message from standard input when no file is given (ssh-keygen(1), `-Y sign`, `-Y verify`),
 * so the message never touches the disk. stderr is inherited when `interactive` so a passphrase
 * prompt (ssh-keygen reads it from the terminal) reaches the person signing.
 */
export function runSshKeygen(
  args: readonly string[],
  input: string,
  o: { interactive?: boolean } = {},
): Promise<SshKeygenResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh-keygen', args, { stdio: ['pipe', 'pipe', o.interactive ? 'inherit' : 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) =>
      reject(new Error(`cannot run ssh-keygen (OpenSSH 8.2 or later is needed for -Y): ${e.message}`, { cause: e })),
    );
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A child that exits before reading stdin (bad arguments) must not crash us with EPIPE.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input);
  });
}
