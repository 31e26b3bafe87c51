import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promptSafe } from '../../ir/handle.js';
import { approvalNamespace } from './approval-message.js';
import { runSshKeygen } from './ssh-keygen.js';

/** The outcome of checking one signature: the signing key's fingerprint, or why it does not count. */
export type SignatureVerdict =
  | { readonly ok: true; readonly key?: string }
  | { readonly ok: false; readonly reason: string };

/** Checks that `signature` over `message` was made by one of `keys`, the public keys of `login`. */
export interface SignatureVerifier {
  verify(o: { message: string; signature: string; login: string; keys: readonly string[] }): Promise<SignatureVerdict>;
}

/**
 * A public key as the Directory lists it: an allowed_signers line without its principals field
 * (ssh-keygen(1), "ALLOWED SIGNERS": `[options] keytype base64-key [comment]`). One line only: a
 * line break would let a Directory entry add lines, and principals, to the signers file.
 */
const publicKey =
  /^(?:[a-z-]+(?:="[^"\r\n]*")?(?:,[a-z-]+(?:="[^"\r\n]*")?)* )?(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,2}(?: [^\r\n]*)?$/;

/** Whether `key` has the Directory's public-key form (see publicKey). */
export function isPublicKeyLine(key: string): boolean {
  return publicKey.test(key);
}

/**
 * Verifies with `ssh-keygen -Y verify -f <allowed_signers> -I <login> -n runbook-approval -s <sig>`,
 * the message on stdin (ssh-keygen(1), `-Y verify`). The temporary allowed_signers file names only
 * this person, as principal `login`, with only their keys: a signature by anyone else's key, even
 * one listed in the Directory for another person, never verifies as theirs.
 */
export function sshKeygenVerifier(): SignatureVerifier {
  return {
    async verify({ message, signature, login, keys }) {
      const usable = keys.filter(isPublicKeyLine);
      if (usable.length === 0) return { ok: false, reason: `the Directory lists no signing key for @${login}` };
      const dir = await mkdtemp(join(tmpdir(), 'runbook-verify-'));
      try {
        const signers = join(dir, 'allowed_signers');
        const sig = join(dir, 'approval.sig');
        // `namespaces=` restricts each key to approvals, as ssh-keygen(1) "ALLOWED SIGNERS" allows.
        // The principals field accepts patterns (`*`, `?`, `,`); a login holds only letters,
        // digits and hyphens (personLogin), so it names exactly one principal.
        await writeFile(signers, usable.map((k) => `${login} namespaces="${approvalNamespace}" ${k}\n`).join(''), {
          mode: 0o600,
        });
        await writeFile(sig, signature.endsWith('\n') ? signature : signature + '\n', { mode: 0o600 });
        const r = await runSshKeygen(
          ['-Y', 'verify', '-f', signers, '-I', login, '-n', approvalNamespace, '-s', sig],
          message,
        );
        if (r.code === 0) return { ok: true, ...fingerprintOf(r.stdout) };
        return { ok: false, reason: `the signature does not verify for @${login} (${firstLine(r.stderr + r.stdout)})` };
      } catch (e) {
        return { ok: false, reason: `the signature could not be checked: ${firstLine((e as Error).message)}` };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** `Good "runbook-approval" signature for dana-lee with ED25519 key SHA256:…` → the fingerprint. */
function fingerprintOf(stdout: string): { key?: string } {
  const m = /with \S+ key (SHA256:[A-Za-z0-9+/=]+)/.exec(stdout);
  return m ? { key: m[1] } : {};
}

/** ssh-keygen's own words, one line, nothing a terminal would interpret. */
function firstLine(text: string): string {
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? 'no reason given';
  return promptSafe(line).slice(0, 200);
}
