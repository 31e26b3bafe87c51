import type { ActionDefinition } from './action.js';

/**
 * The actions a run can call, by id (`uses:`), each loaded on first use: an action's module
 * imports its clients (the AWS SDK, pg, Octokit), which a run that never calls it must not pay
 * for at start-up. The run resolves a step's action before the step runs or is planned.
 */
export interface ActionRegistry {
  /**
   * An action already resolved; undefined for an id outside the catalogue. Throws for one not yet
   * resolved: rendering by the wrong rules (a script's templates expanded) must not pass silently.
   */
  get(id: string): ActionDefinition | undefined;
  /** Loads an action (once); undefined for an id outside the catalogue. */
  resolve(id: string): Promise<ActionDefinition | undefined>;
  /** Resolves these ids (unknown ones are left out), for callers that need definitions synchronously (plans). */
  load(ids: Iterable<string>): Promise<ReadonlyMap<string, ActionDefinition>>;
  /** Resolves the whole catalogue. */
  loadAll(): Promise<ReadonlyMap<string, ActionDefinition>>;
}

type Loader = () => Promise<ActionDefinition>;

/** A registry over one loader per id (a dynamic `import()` of the action's module). */
export function lazyRegistry(loaders: Readonly<Record<string, Loader>>): ActionRegistry {
  const known = new Map(Object.entries(loaders));
  const pending = new Map<string, Promise<ActionDefinition>>();
  const loaded = new Map<string, ActionDefinition>();
  async function resolve(id: string): Promise<ActionDefinition | undefined> {
    const loader = known.get(id);
    if (!loader) return undefined;
    let p = pending.get(id);
    if (!p) pending.set(id, (p = loader().then((a) => checked(id, a))));
    const a = await p;
    loaded.set(id, a);
    return a;
  }
  async function load(ids: Iterable<string>): Promise<ReadonlyMap<string, ActionDefinition>> {
    const out = new Map<string, ActionDefinition>();
    for (const id of new Set(ids)) {
      const a = await resolve(id);
      if (a) out.set(id, a);
    }
    return out;
  }
  return {
    get(id) {
      if (known.has(id) && !loaded.has(id)) throw new Error(`action ${id} is used before it was resolved`);
      return loaded.get(id);
    },
    resolve,
    load,
    loadAll: () => load(known.keys()),
  };
}

/** A definition filed under another id is a programming error, caught when it loads. */
function checked(id: string, a: ActionDefinition): ActionDefinition {
  if (a.id !== id) throw new Error(`action ${a.id} is listed as ${id}`);
  return a;
}
