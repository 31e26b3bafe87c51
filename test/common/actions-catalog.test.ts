import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  actionCatalog,
  asksConfirmation,
  actionEntryOf,
  actionSchemasDir,
  addActionKeywords,
  isGate,
  isShell,
  isWait,
  referenceParam,
  referencedValue,
  schemasDir,
  sqlParams,
  type ActionEntry,
} from '../../common/actions-catalog/index.js';
import { newSchemaRegistry } from '../../compiler/validate/ajv.js';
import { generatedTypesPath, renderActionTypes, typeBaseName } from '../../scripts/action-types.js';

const BASE = 'https://runbook-as-code.example/schemas/';
const files = readdirSync(actionSchemasDir).filter((f) => f.endsWith('.schema.json'));
const tmp = mkdtempSync(join(tmpdir(), 'catalog-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of `schemas/` whose shell schema carries `extra` keywords. */
function schemasWith(name: string, extra: Record<string, unknown>): string {
  const dir = join(tmp, name);
  cpSync(schemasDir, dir, { recursive: true });
  const file = join(dir, 'actions', 'shell.schema.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...extra }));
  return dir;
}

describe('the action catalogue', () => {
  it('loads every schema of schemas/actions/, keyed by its file name', () => {
    const catalog = actionCatalog();
    expect([...catalog.keys()].sort()).toEqual(files.map((f) => f.slice(0, -'.schema.json'.length)).sort());
    for (const entry of catalog.values()) {
      expect(entry.schema['x-action']).toBe(entry.id);
      expect(entry.description.length).toBeGreaterThan(0);
      expect(entry.result?.type).toBe('object');
    }
  });

  it('is read once: the same map every time', () => {
    expect(actionCatalog()).toBe(actionCatalog());
  });

  it('types every flag as a boolean, defaulting when the schema leaves it out', () => {
    expectTypeOf<ActionEntry['gate']>().toEqualTypeOf<boolean>();
    expectTypeOf<ActionEntry['references']>().toEqualTypeOf<
      Readonly<Record<string, 'Template' | 'Checklist' | 'Runbook' | 'Role'>>
    >();
    for (const entry of actionCatalog().values())
      for (const flag of ['idempotent', 'sideEffects', 'gate', 'wait', 'shell', 'confirm'] as const)
        expect(typeof entry[flag], `${entry.id}.${flag}`).toBe('boolean');
    const bare = actionEntryOf({}, 'bare');
    expect(bare).toMatchObject({
      id: 'bare',
      idempotent: false,
      sideEffects: true,
      gate: false,
      wait: false,
      shell: false,
    });
  });

  it('answers the behaviour questions from the flags, never from the ids', () => {
    const flagged = (test: (uses: string) => boolean) => [...actionCatalog().keys()].filter(test);
    expect(flagged(isGate)).toEqual(['approval']);
    expect(flagged(isWait)).toEqual(['wait']);
    expect(flagged(isShell)).toEqual(['shell']);
    expect(flagged(asksConfirmation)).toEqual(['checklist', 'manual']);
    expect(isGate(undefined) || isGate('no.such-action')).toBe(false);
    expect(sqlParams('postgres.query')).toEqual(['sql']);
    expect(referenceParam('notify', 'Template')).toBe('template');
    expect(referenceParam('manual', 'Role')).toBe('assignee');
    expect(referencedValue({ uses: 'runbook', with: { runbook: 'child' } }, 'Runbook')).toBe('child');
    expect(referencedValue({ uses: 'shell', with: { runbook: 'child' } }, 'Runbook')).toBeUndefined();
    expect(
      [...actionCatalog().values()]
        .filter((a) => !a.sideEffects)
        .map((a) => a.id)
        .sort(),
    ).toContain('approval');
  });
});

describe('catalogue keywords', () => {
  it('rejects a misspelt x- flag in a schema file (unknown keyword in strict mode)', () => {
    const registry = newSchemaRegistry(schemasWith('typo', { 'x-gaet': true }));
    expect(() => registry.getSchema(`${BASE}actions/shell.schema.json`)).toThrow(/unknown keyword: "x-gaet"/);
  });

  it('rejects a flag whose value breaks its meta-schema', () => {
    const registry = newSchemaRegistry(schemasWith('value', { 'x-gate': 'yes' }));
    expect(() => registry.getSchema(`${BASE}actions/shell.schema.json`)).toThrow(/x-gate/);
    const refs = addActionKeywords(new Ajv2020({ strict: true }));
    expect(() => refs.compile({ 'x-references': { template: 'Templat' } })).toThrow(/x-references/);
  });

  it('compiles every action schema with the keywords registered', () => {
    const registry = newSchemaRegistry(schemasDir);
    for (const f of files) expect(registry.getSchema(`${BASE}actions/${f}`), f).toBeTypeOf('function');
  });

  it('refuses to build an entry with an unknown x- flag, so a typo never reads as the default', () => {
    expect(() => actionEntryOf({ 'x-action': 'shell', 'x-shel': true }, 'shell', 'shell.schema.json')).toThrow(
      'shell.schema.json: unknown catalogue keyword x-shel',
    );
  });
});

describe('generated Params and Result types', () => {
  it('common/actions-catalog/types.generated.ts is current (npm run gen:action-types)', async () => {
    expect(readFileSync(generatedTypesPath, 'utf8')).toBe(await renderActionTypes());
  });

  it('declares both types for every action, by id', async () => {
    const text = await renderActionTypes();
    for (const id of actionCatalog().keys()) {
      expect(text).toContain(`export interface ${typeBaseName(id)}Params `);
      expect(text).toContain(`export interface ${typeBaseName(id)}Result `);
    }
    expect(text).toMatch(/export interface ShellParams \{[^}]*script: string;/);
  });
});
