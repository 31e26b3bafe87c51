import { userInfo } from 'node:os';

/** Who started the run: `--as`, else GITHUB_ACTOR (in Actions), else the OS user; always `@handle`. */
export function initiatorOf(as: string | undefined, env: NodeJS.ProcessEnv): string {
  let who = as ?? env.GITHUB_ACTOR;
  if (!who) {
    try {
      who = userInfo().username;
    } catch {
      who = 'unknown';
    }
  }
  return who.startsWith('@') ? who : `@${who}`;
}
