import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Checks the fake GitHub against GitHub's own REST description (`@octokit/openapi`, OpenAPI 3.0):
 * every request the project sends must hit a documented operation with a body matching its
 * `requestBody` schema, and every reply the fake writes must match the schema documented for its
 * status. So neither the fake nor the project can drift from what api.github.com accepts/answers.
 * The description is 13 MB: it is read once per process, on first use, and only the schemas of the
 * operations actually hit are compiled (and cached).
 */

type Json = Record<string, any>;
/** An operation of the description, matched from a concrete method and path. */
export interface GithubOperation {
  readonly operationId: string;
  readonly template: string;
  readonly method: string;
  readonly op: Json;
  readonly params: Record<string, string>;
}

let doc: Json | undefined;
let ajv: Ajv | undefined;
let matchers: { method: string; template: string; re: RegExp; literal: number; op: Json }[] | undefined;
const compiled = new Map<string, ValidateFunction | null>();

function description(): Json {
  if (!doc) {
    const path = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    doc = JSON.parse(readFileSync(path, 'utf8')) as Json;
  }
  return doc;
}

function validator(): Ajv {
  if (!ajv) {
    // strict off: the description carries OpenAPI-only keywords (`example`, `x-github`, `deprecated`…);
    // ajv implements OpenAPI 3.0's `nullable` natively.
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, discriminator: false });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    ajv.addSchema({ components: nullableWithoutType(description().components) }, 'gh');
  }
  return ajv;
}

/**
 * OpenAPI 3.0 allows `nullable: true` beside `allOf`/`$ref` with no `type`; ajv only implements it
 * next to `type`. Such a schema becomes `anyOf: [schema, null]`, which means the same; a nullable
 * `enum` also admits null.
 */
function nullableWithoutType(node: any): any {
  if (Array.isArray(node)) return node.map(nullableWithoutType);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === 'example' || k === 'examples' ? v : nullableWithoutType(v)]),
  );
  // `nullable` with an `enum` lacking null (issue `state_reason`): ajv checks the enum strictly,
  // GitHub sends null. OpenAPI 3.0.3 says such an enum must list null; GitHub's description does not.
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.nullable !== true || 'type' in out) return out;
  const { nullable: _n, ...rest } = out;
  return { anyOf: [rest, { type: 'null' }] };
}

/** The documented operation for `method path`, or undefined when GitHub has no such route. */
export function findOperation(method: string, path: string): GithubOperation | undefined {
  matchers ??= Object.entries(description().paths as Json).flatMap(([template, item]) =>
    Object.entries(item as Json)
      .filter(([m]) => ['get', 'put', 'post', 'patch', 'delete'].includes(m))
      .map(([m, op]) => ({
        method: m.toUpperCase(),
        template,
        op: op as Json,
        re: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')}$`),
        literal: template.split('/').filter((s) => s && !s.startsWith('{')).length,
      })),
  );
  // A literal segment beats a parameter (`/user` vs `/users/{username}`): most literals first.
  const hit = matchers.filter((x) => x.method === method && x.re.test(path)).sort((a, b) => b.literal - a.literal)[0];
  if (!hit) return undefined;
  const names = [...hit.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const values = hit.re.exec(path)!.slice(1);
  return {
    operationId: hit.op.operationId,
    template: hit.template,
    method,
    op: hit.op,
    params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(values[i])])),
  };
}

/** Resolves a `#/components/...` reference (responses and request bodies are often shared). */
function deref(node: Json | undefined): Json | undefined {
  if (!node?.$ref) return node;
  return deref(
    String(node.$ref)
      .slice(2)
      .split('/')
      .reduce((o: Json, k) => o?.[k], description()),
  );
}

function compile(key: string, schema: Json | undefined): ValidateFunction | null {
  if (!compiled.has(key)) {
    // Local `#/components/...` refs point into the document registered as `gh`.
    const rebased = schema
      ? nullableWithoutType(JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"gh#/')))
      : undefined;
    compiled.set(key, rebased ? validator().compile(rebased) : null);
  }
  return compiled.get(key)!;
}

const describe = (v: ValidateFunction) =>
  validator().errorsText(v.errors, { dataVar: 'body' }) + ` ${JSON.stringify(v.errors?.slice(0, 3))}`;

/** What is wrong with a request body sent to `op`, or undefined when it is valid. */
export function requestBodyProblem(op: GithubOperation, body: unknown, hasBody: boolean): string | undefined {
  const rb = deref(op.op.requestBody);
  const schema = rb?.content?.['application/json']?.schema;
  if (!schema) return hasBody ? `${op.operationId} takes no JSON body` : undefined;
  if (!hasBody) return rb.required ? `${op.operationId} requires a JSON body` : undefined;
  const v = compile(`${op.operationId} request`, schema)!;
  return v(body) ? undefined : `request body of ${op.operationId}: ${describe(v)}`;
}

/**
 * What is wrong with a reply of `status` to `op`, or undefined when it is documented. Errors that
 * GitHub returns on any route (401 bad credentials, 403 rate limits, 5xx) are not listed per
 * operation; they must still have GitHub's error shape (`message`, optional `documentation_url`).
 */
export function responseProblem(op: GithubOperation, status: number, body: unknown): string | undefined {
  const documented = deref(op.op.responses?.[String(status)]);
  if (!documented) {
    if (status >= 400) return errorShapeProblem(op, status, body);
    return `${op.operationId} documents no ${status} response`;
  }
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) {
    // Errors documented without a body (e.g. a 404) still come with GitHub's `message`.
    if (status >= 400) return errorShapeProblem(op, status, body);
    return body === undefined ? undefined : `${op.operationId} documents no body for ${status}`;
  }
  const v = compile(`${op.operationId} ${status}`, schema)!;
  return v(body) ? undefined : `${status} response of ${op.operationId}: ${describe(v)}`;
}

function errorShapeProblem(op: GithubOperation, status: number, body: unknown): string | undefined {
  const v = compile('basic-error', { $ref: '#/components/schemas/basic-error' })!;
  return v(body) ? undefined : `${status} error of ${op.operationId}: ${describe(v)}`;
}

/**
 * A deep copy of the example GitHub documents for `method path` answering `status` (the first
 * element when it is a list), for the fake to overlay its own state on: so its replies carry every
 * field GitHub's do, not just the ones the project reads today.
 */
export function documentedExample(method: string, path: string, status = 200): Json {
  const op = findOperation(method, path);
  const content = deref(op?.op.responses?.[String(status)])?.content?.['application/json'];
  const first = content?.examples ? Object.values(content.examples as Json)[0] : undefined;
  // Either `{ $ref → { value } }` or `{ summary, value: { $ref → { value } } }`.
  const outer = deref(first as Json | undefined)?.value as Json | undefined;
  const value = outer?.$ref ? deref(outer)?.value : outer;
  if (value === undefined) throw new Error(`no documented example for ${method} ${path} ${status}`);
  return structuredClone(Array.isArray(value) ? value[0] : value) as Json;
}
