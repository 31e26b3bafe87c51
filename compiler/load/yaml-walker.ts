import { isAlias, isMap, isScalar, isSeq, type Alias, type Document, type Node } from 'yaml';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Range } from '../source/source-file.js';
import { joinPointer, type SourceMap } from './source-map.js';
import { aliasTargets } from './yaml-anchors.js';

/**
 * Limits that keep hostile input bounded in time and memory. Nodes and depth bound any document;
 * the alias limits bound what aliases add: a real runbook reuses a few blocks a few times, an
 * alias bomb (each anchor aliasing the previous one nine times) multiplies without end.
 */
export const yamlLimits = {
  maxNodes: 100_000,
  maxDepth: 64,
  /** Aliases expanded, counting those inside other aliases' expansions. */
  maxAliases: 10_000,
  /** Characters of scalars (keys and values) reached through aliases. */
  maxAliasChars: 1024 * 1024,
} as const;

/** A limit was crossed (or a key repeated) at `range`; loadYaml turns it into a diagnostic and drops the document. */
export class YamlRejected extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly range: Range,
  ) {
    super(message);
  }
}

/** Converts a YAML document into plain data, filling `map` with a range for every pointer. */
export class YamlWalker {
  private nodes = 0;
  private aliases = 0;
  private aliasChars = 0;
  /** The outermost alias being expanded: where a limit crossed inside an expansion is reported. */
  private aliasSite: Range | undefined;
  /** Made on the first alias met: most documents have none, and finding targets walks the whole document. */
  private targets: Map<Alias, Node> | undefined;

  constructor(
    private readonly doc: Document,
    private readonly map: SourceMap,
    private readonly offset: number,
  ) {}

  /** The node's range, or (for a node without one) the range `fallback()` gives. */
  private range(node: Node | null | undefined, fallback: () => Range): Range {
    const r = node?.range;
    return r ? { start: this.offset + r[0], end: this.offset + Math.max(r[1], r[0]) } : fallback();
  }

  /** Where to report a limit crossed at `node`: the alias being expanded, else the node itself. */
  private site(node: Node | null, pointer: string): Range {
    return this.aliasSite ?? this.range(node, () => this.map.range(pointer));
  }

  value(node: Node | null, pointer: string, depth: number): unknown {
    if (++this.nodes > yamlLimits.maxNodes) {
      // Crossed inside an expansion, the aliases are what made the document too large.
      const code = this.aliasSite ? 'yaml-alias-limit' : 'yaml-too-complex';
      const message = this.aliasSite
        ? `aliases expand the document to more than ${yamlLimits.maxNodes} nodes (alias bomb?)`
        : `document has more than ${yamlLimits.maxNodes} nodes`;
      throw new YamlRejected(code, message, this.site(node, pointer));
    }
    if (depth > yamlLimits.maxDepth) {
      throw new YamlRejected(
        'yaml-too-complex',
        `nesting deeper than ${yamlLimits.maxDepth} levels`,
        this.site(node, pointer),
      );
    }
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.alias(node, pointer, depth);
    if (isMap(node)) return this.mapping(node.items, pointer, depth);
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        const child = joinPointer(pointer, i);
        this.map.set(
          child,
          this.range(item as Node, () => this.map.range(pointer)),
        );
        return this.value(item as Node, child, depth + 1);
      });
    }
    if (isScalar(node)) {
      this.countAliasChars(node.value, node, pointer);
      return node.value;
    }
    return null;
  }

  private alias(node: Alias, pointer: string, depth: number): unknown {
    const outermost = this.aliasSite === undefined;
    if (outermost) this.aliasSite = this.range(node, () => this.map.range(pointer));
    try {
      if (++this.aliases > yamlLimits.maxAliases) {
        throw new YamlRejected(
          'yaml-alias-limit',
          `aliases expand more than ${yamlLimits.maxAliases} times (alias bomb?)`,
          this.site(node, pointer),
        );
      }
      const target = (this.targets ??= aliasTargets(this.doc)).get(node);
      return target ? this.value(target, pointer, depth + 1) : null;
    } finally {
      if (outermost) this.aliasSite = undefined;
    }
  }

  private countAliasChars(value: unknown, node: Node, pointer: string): void {
    if (this.aliasSite === undefined) return;
    this.aliasChars += typeof value === 'string' ? value.length : 8;
    if (this.aliasChars > yamlLimits.maxAliasChars) {
      throw new YamlRejected(
        'yaml-alias-limit',
        `aliases expand to more than ${yamlLimits.maxAliasChars} characters of text`,
        this.site(node, pointer),
      );
    }
  }

  private mapping(items: { key: unknown; value: unknown }[], pointer: string, depth: number): unknown {
    const out: Record<string, unknown> = {};
    for (const pair of items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      if (keyNode) this.countAliasChars(key, keyNode, pointer);
      const keyRange = this.range(keyNode, () => this.map.range(pointer));
      // Checked here, with the object at hand, rather than by the parser's `uniqueKeys`, which
      // compares each key with every earlier one (90,000 keys: minutes).
      if (Object.hasOwn(out, key)) throw new YamlRejected('yaml-syntax', 'Map keys must be unique', keyRange);
      const child = joinPointer(pointer, key);
      const valueNode = pair.value as Node | null;
      this.map.set(
        child,
        this.range(valueNode, () => ({ start: keyRange.end, end: keyRange.end })),
        keyRange,
      );
      const v = this.value(valueNode, child, depth + 1);
      // Never let a `__proto__` key reach an object's prototype: define it as an own property.
      // Any other key: plain assignment makes the same own, enumerable, writable property.
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    }
    return out;
  }
}
