import { describe, expect, it } from 'vitest';
import {
  createHandlebars,
  directoryContext,
  exampleRun,
  helperNames,
  isFalseRendering,
  templateContext,
  textCompileOptions,
} from '../../ir/handlebars.js';

const hbs = createHandlebars();
const render = (template: string, context: Record<string, unknown> = {}) =>
  hbs.compile(template, textCompileOptions)(context);

describe('createHandlebars', () => {
  it('registers exactly the helpers of the format, on its own instance', () => {
    expect(helperNames).toEqual([
      'eq',
      'ne',
      'lt',
      'le',
      'gt',
      'ge',
      'and',
      'or',
      'not',
      'default',
      'json',
      'duration',
    ]);
    expect(createHandlebars()).not.toBe(hbs);
  });

  it('compares numeric strings as numbers', () => {
    expect(render('{{lt lag 300}}', { lag: '250' })).toBe('true');
    expect(render('{{lt lag 300}}', { lag: '1000' })).toBe('false');
    expect(render('{{ge n "10"}}', { n: 9 })).toBe('false');
    expect(render('{{eq status "available"}}', { status: 'available' })).toBe('true');
    expect(render('{{eq n "1"}}', { n: 1 })).toBe('true');
    expect(render('{{ne a b}}', { a: 'x', b: 'y' })).toBe('true');
    expect(render('{{gt missing 1}}')).toBe('false');
  });

  it('has variadic and/or and not, ignoring the options argument', () => {
    expect(render('{{and a b c}}', { a: 1, b: 'x', c: true })).toBe('true');
    expect(render('{{and a b c}}', { a: 1, b: '', c: true })).toBe('false');
    expect(render('{{or a b c}}', { a: 0, b: '', c: 'y' })).toBe('true');
    expect(render('{{or a b}}', { a: 0, b: '' })).toBe('false');
    expect(render('{{not a}}', { a: [] })).toBe('true');
    expect(render('{{#if (and (gt n 1) (not off))}}yes{{/if}}', { n: '2', off: false })).toBe('yes');
  });

  it('has default, json and duration', () => {
    expect(render('{{default x "fallback"}}', {})).toBe('fallback');
    expect(render('{{default x "fallback"}}', { x: 'set' })).toBe('set');
    expect(render('{{json v}}', { v: { a: [1, 'b'] } })).toBe('{"a":[1,"b"]}');
    expect(render('{{duration ms}}', { ms: 5_400_000 })).toBe('1h30m');
    expect(render('{{duration d}}', { d: '15m' })).toBe('900000');
    expect(render('{{duration d}}', { d: '90000' })).toBe('1m30s');
  });

  it('leaves escaping to the caller', () => {
    expect(render('{{x}}', { x: 'a & <b>' })).toBe('a & <b>');
    expect(hbs.compile('{{x}}')({ x: 'a & <b>' })).toBe('a &amp; &lt;b&gt;');
  });

  it('knows which renderings of an `if:` are false', () => {
    for (const f of ['', ' false', '0', 'null', 'undefined']) expect(isFalseRendering(f)).toBe(true);
    expect(isFalseRendering('no')).toBe(false);
  });
});

describe('templateContext', () => {
  const directory = {
    people: { 'jane-doe': { name: 'Jane Doe', phone: '+1' }, 'john-roe': { name: 'John Roe' } },
    roles: { 'incident-commander': { title: 'IC', primary: 'jane-doe', backup: 'john-roe' } },
  };

  it('resolves role holders to people', () => {
    const dir = directoryContext(directory) as {
      roles: Record<string, { primary: { id: string; name: string }; backup: { name: string } }>;
    };
    expect(dir.roles['incident-commander'].primary).toEqual({ id: 'jane-doe', name: 'Jane Doe', phone: '+1' });
    expect(render('{{directory.roles.incident-commander.backup.name}}', { directory: dir })).toBe('John Roe');
  });

  it('builds the docs example context: examples, input defaults, fixed run, drill false', () => {
    const ctx = templateContext({
      variables: { phase: { example: 'Failover' }, note: {} },
      runbook: { name: 'rb', title: 'Runbook' },
      inputs: { region: { default: 'us-west-2' }, reason: {} },
      directory,
    });
    expect(ctx).toMatchObject({
      phase: 'Failover',
      inputs: { region: 'us-west-2', reason: '<reason>' },
      run: exampleRun,
      runbook: { title: 'Runbook' },
      drill: false,
    });
    expect(ctx).not.toHaveProperty('note');
    expect(exampleRun).toEqual({
      id: 'run-example',
      initiator: '@example',
      startedAt: '2026-01-01T00:00:00Z',
      dryRun: false,
      url: '',
    });
    const out = render(
      '{{phase}} in {{inputs.region}} ({{runbook.title}}), IC {{directory.roles.incident-commander.primary.name}}{{#if drill}} drill{{/if}}',
      ctx,
    );
    expect(out).toBe('Failover in us-west-2 (Runbook), IC Jane Doe');
  });

  it('lets vars and actual input values win over examples', () => {
    const ctx = templateContext({
      variables: { phase: { example: 'x' } },
      vars: { phase: 'Validate' },
      inputs: { r: { default: 'a' } },
      inputValues: { r: 'b' },
      drill: true,
    });
    expect(ctx).toMatchObject({ phase: 'Validate', inputs: { r: 'b' }, drill: true });
  });
});
