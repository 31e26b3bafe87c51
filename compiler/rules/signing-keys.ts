import { personLogin } from '../../ir/handle.js';
import { joinPointer } from '../load/source-map.js';
import type { Rule } from './rule.js';

/**
 * The Directory's signing keys identify one person each. A key listed for two people lets its
 * holder sign approvals as both, so two approvals would come from one person (`signing-key-shared`);
 * a key on a person without a GitHub login names no principal that could ever be verified
 * (`signing-key-without-github`). Keys are compared without their options and comment.
 */
export const signingKeysRule: Rule = {
  id: 'signing-keys',
  codes: ['signing-key-shared', 'signing-key-without-github'],
  docs: 'Each Directory signing key belongs to one person, and a person with signing keys has a GitHub login (the identity signed approvals are verified for).',
  check(ctx) {
    const dir = ctx.directory;
    if (!dir) return;
    const owners = new Map<string, string>();
    for (const [id, person] of Object.entries(dir.data.spec.people ?? {})) {
      const keys = person.signingKeys ?? [];
      const pointer = joinPointer('/spec/people', id, 'signingKeys');
      if (keys.length && !(person.github && personLogin(person.github))) {
        ctx.report(
          dir.doc,
          pointer,
          'signing-key-without-github',
          `person "${id}" has signing keys but no GitHub login`,
          { key: true, hint: 'add github: "@login"; signed approvals are verified for that login' },
        );
      }
      keys.forEach((key, i) => {
        const material = keyMaterial(key);
        const other = owners.get(material);
        if (other !== undefined && other !== id) {
          ctx.report(
            dir.doc,
            joinPointer(pointer, i),
            'signing-key-shared',
            `this key is also listed for person "${other}": its holder could approve as both`,
            { hint: 'each person signs with their own key' },
          );
        } else owners.set(material, id);
      });
    }
  },
};

/** `keytype base64` of an allowed-signers entry, without options and comment. */
function keyMaterial(key: string): string {
  const m = /(?:^|\s)(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|sk-\S+@openssh\.com) ([A-Za-z0-9+/]+={0,2})(?:\s|$)/.exec(
    key,
  );
  return m ? `${m[1]} ${m[2]}` : key;
}
