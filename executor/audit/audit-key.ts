import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { RunRefused } from '../core/errors.js';

/**
 * The optional audit signing key (`RUNBOOK_AUDIT_KEY`). A writer holding the audit file can
 * recompute every hash, but not a signature without the key: each record then carries
 * `sig` over its `hash`, and `audit verify` with the key refuses unsigned or badly signed
 * records. Two forms:
 * - `hmac:<base64>`: an HMAC-SHA256 secret (node:crypto createHmac); verification needs the
 *   same secret, so the verifier could also sign.
 * - an ed25519 private key in PEM (PKCS#8, `openssl genpkey -algorithm ed25519`); verification
 *   needs only the public key (`RUNBOOK_AUDIT_PUBKEY` or `--key`, SPKI PEM), which can be
 *   handed to auditors. node:crypto `sign(null, data, key)` is the one-shot Ed25519 form (no
 *   digest: Ed25519 hashes internally).
 * The key is a secret: it is masked like one, and no message here ever quotes it.
 */

/** Signs a record hash: `hmac-sha256:<base64>` or `ed25519:<base64>`. */
export interface AuditSigner {
  sign(hash: string): string;
  /** The strings to mask in every output (the key text and its parts). */
  readonly secrets: readonly string[];
}

/** Checks a record's `sig` against its hash; a reason when it does not hold. */
export interface AuditSigVerifier {
  /** undefined when the signature is good, else why not (never quoting the key). */
  check(hash: string, sig: string | undefined): string | undefined;
  /** What kind of key, for messages: `HMAC-SHA256` or `ed25519`. */
  readonly kind: string;
  readonly secrets: readonly string[];
}

const HMAC = 'hmac-sha256:';
const ED = 'ed25519:';

/** A signer from a key's text (`hmac:<base64>` or an ed25519 private key PEM). */
export function auditSignerOf(text: string, from = 'RUNBOOK_AUDIT_KEY'): AuditSigner {
  const key = text.trim();
  if (key.startsWith('hmac:')) {
    const secret = hmacSecret(key, from);
    return {
      sign: (hash) => HMAC + createHmac('sha256', secret).update(hash).digest('base64'),
      secrets: secretsOf(text, key),
    };
  }
  const priv = privateKey(key, from);
  return { sign: (hash) => ED + sign(null, Buffer.from(hash), priv).toString('base64'), secrets: secretsOf(text, key) };
}

/**
 * A verifier from a key's text: `hmac:<base64>`, an ed25519 private key (its public half is
 * used) or an ed25519 public key PEM.
 */
export function auditVerifierOf(text: string, from: string): AuditSigVerifier {
  const key = text.trim();
  const secrets = secretsOf(text, key);
  if (key.startsWith('hmac:')) {
    const secret = hmacSecret(key, from);
    return {
      kind: 'HMAC-SHA256',
      secrets,
      check(hash, sig) {
        if (sig === undefined) return 'unsigned';
        if (!sig.startsWith(HMAC)) return `signature is not ${HMAC.slice(0, -1)}`;
        const want = createHmac('sha256', secret).update(hash).digest();
        const got = Buffer.from(sig.slice(HMAC.length), 'base64');
        return got.length === want.length && timingSafeEqual(got, want)
          ? undefined
          : 'signature does not match the key';
      },
    };
  }
  const pub = /PRIVATE KEY/.test(key) ? createPublicKey(privateKey(key, from)) : publicKey(key, from);
  return {
    kind: 'ed25519',
    secrets,
    check(hash, sig) {
      if (sig === undefined) return 'unsigned';
      if (!sig.startsWith(ED)) return `signature is not ${ED.slice(0, -1)}`;
      return verify(null, Buffer.from(hash), pub, Buffer.from(sig.slice(ED.length), 'base64'))
        ? undefined
        : 'signature does not match the key';
    },
  };
}

/** The run's signer from RUNBOOK_AUDIT_KEY, or undefined when signing is off. */
export function auditSignerFromEnv(env: NodeJS.ProcessEnv): AuditSigner | undefined {
  const text = env.RUNBOOK_AUDIT_KEY;
  return text && text.trim() ? auditSignerOf(text) : undefined;
}

/** The verifier `audit verify` uses: the key file given, else RUNBOOK_AUDIT_PUBKEY, else RUNBOOK_AUDIT_KEY. */
export function auditVerifierFromEnv(
  env: NodeJS.ProcessEnv,
  keyFileText?: { text: string; from: string },
): AuditSigVerifier | undefined {
  if (keyFileText) return auditVerifierOf(keyFileText.text, keyFileText.from);
  for (const name of ['RUNBOOK_AUDIT_PUBKEY', 'RUNBOOK_AUDIT_KEY']) {
    const text = env[name];
    if (text && text.trim()) return auditVerifierOf(text, name);
  }
  return undefined;
}

function hmacSecret(key: string, from: string): Buffer {
  const b64 = key.slice('hmac:'.length).trim();
  const secret = Buffer.from(b64, 'base64');
  // 16 bytes is the floor RFC 2104 §3 suggests for a key (at least the hash output's half).
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || secret.length < 16) {
    throw new RunRefused(
      `${from} is not a usable HMAC key (hmac:<base64 of at least 16 bytes>)`,
      'e.g. hmac:$(openssl rand -base64 32)',
    );
  }
  return secret;
}

function privateKey(key: string, from: string): KeyObject {
  let k: KeyObject;
  try {
    k = createPrivateKey(key);
  } catch {
    // The parser's message may quote the input: never pass it on.
    throw new RunRefused(
      `${from} is neither hmac:<base64> nor a PEM private key`,
      'generate one with `openssl genpkey -algorithm ed25519`',
    );
  }
  if (k.asymmetricKeyType !== 'ed25519')
    throw new RunRefused(`${from} is a ${k.asymmetricKeyType} key; audit signing uses ed25519`);
  return k;
}

function publicKey(key: string, from: string): KeyObject {
  let k: KeyObject;
  try {
    k = createPublicKey(key);
  } catch {
    throw new RunRefused(
      `${from} is neither hmac:<base64> nor a PEM ed25519 key`,
      'give the public key (`openssl pkey -pubout`) or the HMAC secret the run used',
    );
  }
  if (k.asymmetricKeyType !== 'ed25519')
    throw new RunRefused(`${from} is a ${k.asymmetricKeyType} key; audit signing uses ed25519`);
  return k;
}

/** The key text, its trimmed form and the HMAC secret's base64: each must be masked. */
function secretsOf(text: string, key: string): string[] {
  return [text, key, ...(key.startsWith('hmac:') ? [key.slice(5).trim()] : [])];
}
