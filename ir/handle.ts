/**
 * GitHub handles as identities. A person is one login, however it is written: `@Dana-Lee`,
 * `dana-lee` and `@dana-lee` are the same person. Logins are ASCII letters, digits and single
 * inner hyphens, at most 39 characters (GitHub's sign-up rule), so look-alikes such as the Kelvin
 * sign in `riley-parK` are refused rather than folded into someone else's name.
 */
const login = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** `org/team-slug`: team slugs are lower-case letters, digits, `-` and `_`. */
const team = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** The canonical form of a person's handle (`dana-lee`), or undefined when it is not a GitHub login. */
export function personLogin(handle: string): string | undefined {
  const bare = handle.startsWith('@') ? handle.slice(1) : handle;
  return login.test(bare) ? bare.toLowerCase() : undefined;
}

/** The canonical form of a team handle (`acme/dba`), or undefined when it is not `@org/team`. */
export function teamHandle(handle: string): string | undefined {
  const bare = handle.startsWith('@') ? handle.slice(1) : handle;
  return team.test(bare) ? bare.toLowerCase() : undefined;
}

/**
 * Text safe to show at a terminal prompt: C0/C1 control characters (escape sequences that move
 * the cursor or erase lines) and bidirectional overrides removed; line breaks become spaces.
 */
export function promptSafe(text: string): string {
  return (
    text
      .replace(/\r\n|[\r\n]/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
  );
}
