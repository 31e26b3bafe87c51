import { describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../../executor/actions/action.js';
import { actions } from '../../../executor/actions/index.js';
import { lazyRegistry } from '../../../executor/actions/registry.js';

const fake = (id: string): ActionDefinition => ({
  id,
  rawParams: ['script'],
  run: async () => ({}),
  plan: () => ({ summary: id, calls: [] }),
});

describe('the action registry', () => {
  it('loads an action once, on first use, and only that one', async () => {
    const calls: string[] = [];
    const registry = lazyRegistry({
      a: async () => (calls.push('a'), fake('a')),
      b: async () => (calls.push('b'), fake('b')),
    });
    expect(calls).toEqual([]);
    await Promise.all([registry.resolve('a'), registry.resolve('a')]);
    expect(registry.get('a')?.rawParams).toEqual(['script']);
    expect(calls).toEqual(['a']);
  });

  it('refuses to hand out an action before it is resolved: its render rules would be missed', () => {
    const registry = lazyRegistry({ a: async () => fake('a') });
    expect(() => registry.get('a')).toThrow('action a is used before it was resolved');
  });

  it('answers undefined for an id outside the catalogue, and leaves it out of load()', async () => {
    const registry = lazyRegistry({ a: async () => fake('a') });
    expect(registry.get('nope')).toBeUndefined();
    expect(await registry.resolve('nope')).toBeUndefined();
    expect([...(await registry.load(['a', 'nope'])).keys()]).toEqual(['a']);
  });

  it('catches a definition filed under another id when it loads', async () => {
    const registry = lazyRegistry({ a: async () => fake('b') });
    await expect(registry.resolve('a')).rejects.toThrow('action b is listed as a');
  });

  it('resolves every action of the catalogue under its own id', async () => {
    for (const [id, a] of await actions.loadAll()) expect(a.id).toBe(id);
  });
});
