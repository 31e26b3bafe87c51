/**
 * What the chain checks read of each record, as columns (issue 12, verify throughput): a journal
 * of 200,000 records read into 200,000 objects and their strings spent more time in the garbage
 * collector than in sha256. A line taken by a template keeps only numbers and shared strings (the
 * template's run id and type); its hash, prevHash and sig are cut from the file's text when a
 * check or a finding asks for them. Lines read otherwise keep their whole link.
 */

/** What the chain checks read of a record. */
export interface ChainLink {
  readonly seq: number;
  readonly runId: string;
  readonly type: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly sig?: string;
}

/** The records of a log as the chain checks read them, by index. */
export interface ChainView {
  readonly length: number;
  seq(i: number): number;
  runId(i: number): string;
  type(i: number): string;
  hash(i: number): string;
  prevHash(i: number): string;
  /** Whether record i's prevHash is record j's hash. */
  chainsTo(i: number, j: number): boolean;
  /** The whole link (for the anchor and signature checks, and findings). */
  link(i: number): ChainLink;
}

/** A view of links already built (records of a database, of an array). */
export function viewOfLinks(links: readonly ChainLink[]): ChainView {
  return {
    length: links.length,
    seq: (i) => links[i].seq,
    runId: (i) => links[i].runId,
    type: (i) => links[i].type,
    hash: (i) => links[i].hash,
    prevHash: (i) => links[i].prevHash,
    chainsTo: (i, j) => links[i].prevHash === links[j].hash,
    link: (i) => links[i],
  };
}

/** The links of a view, built (for checks that read every field of every record). */
export function linksOf(view: ChainView): ChainLink[] {
  return Array.from({ length: view.length }, (_, i) => view.link(i));
}

/** The JSON string whose content is t[at, end). */
export function stringAt(t: string, at: number, end: number): string {
  const raw = t.slice(at, end);
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/**
 * One part of a file's columns, as a worker thread sends it (verify-parts.ts): typed arrays its
 * owner no longer needs (transferred, not copied) and each run id and type once, by index.
 */
export interface ColumnsPart {
  readonly length: number;
  readonly seqs: Float64Array;
  readonly taken: Uint8Array;
  readonly hex: Uint8Array;
  readonly sigs: [number, string][];
  readonly whole: [number, ChainLink][];
  readonly names: string[];
  /** names[runIds[i]] and names[types[i]]: record i's run id and type. */
  readonly runIds: Uint32Array;
  readonly types: Uint32Array;
}

/** `strings` as indexes into `names` (a run has one run id and a few types). */
function interned(strings: readonly string[], names: string[], index: Map<string, number>): Uint32Array {
  const ids = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    let id = index.get(strings[i]);
    if (id === undefined) index.set(strings[i], (id = names.push(strings[i]) - 1));
    ids[i] = id;
  }
  return ids;
}

/**
 * The records of one audit file. A record taken by a template (taken[i] = 1) chains to the record
 * before it (the template path takes a line only then), and its hash's 64 hex digits are kept at
 * hex[64 i, 64 i + 64). Any other record has its link in `whole`.
 */
export class ChainColumns implements ChainView {
  // Typed arrays, grown by doubling: a push is a store, and the collector has nothing to trace.
  private seqs: Float64Array = new Float64Array(1024);
  private taken: Uint8Array = new Uint8Array(1024);
  private hex: Buffer = Buffer.allocUnsafe(64 * 1024);
  private readonly sigs = new Map<number, string>();
  readonly runIds: string[] = [];
  readonly types: string[] = [];
  private readonly whole = new Map<number, ChainLink>();
  length = 0;

  /** A record taken by a template (it chains to the record pushed before it). */
  pushTaken(seq: number, runId: string, type: string, hash: string, sig: string | undefined): void {
    const i = this.push(seq, runId, type);
    this.taken[i] = 1;
    this.hex.write(hash, 64 * i, 64, 'latin1');
    if (sig !== undefined) this.sigs.set(i, sig);
  }

  pushLink(link: ChainLink): void {
    const i = this.push(link.seq, link.runId, link.type);
    this.taken[i] = 0;
    this.whole.set(i, link);
  }

  private push(seq: number, runId: string, type: string): number {
    const i = this.length++;
    if (i === this.seqs.length) this.grow();
    this.seqs[i] = seq;
    this.runIds.push(runId);
    this.types.push(type);
    return i;
  }

  private grow(): void {
    const n = this.seqs.length * 2;
    const seqs = new Float64Array(n);
    seqs.set(this.seqs);
    this.seqs = seqs;
    const taken = new Uint8Array(n);
    taken.set(this.taken);
    this.taken = taken;
    const hex = Buffer.allocUnsafe(64 * n);
    this.hex.copy(hex);
    this.hex = hex;
  }

  /** These columns as a part to send to another thread (this object is not to be used after). */
  toPart(): ColumnsPart {
    const names: string[] = [];
    const index = new Map<string, number>();
    return {
      length: this.length,
      ...{ seqs: this.seqs, taken: this.taken, hex: this.hex, sigs: [...this.sigs], whole: [...this.whole] },
      ...{ names, runIds: interned(this.runIds, names, index), types: interned(this.types, names, index) },
    };
  }

  /**
   * Appends a part's records after these. The first record of a part never counts as taken (a
   * part is read from its start, with no record before it): it keeps its whole link, and the
   * chain checks compare its prevHash with the hash of the last record before it, as any other.
   */
  append(p: ColumnsPart): void {
    const at = this.length;
    while (this.seqs.length < at + p.length) this.grow();
    this.seqs.set(p.seqs.subarray(0, p.length), at);
    this.taken.set(p.taken.subarray(0, p.length), at);
    this.hex.set(p.hex.subarray(0, 64 * p.length), 64 * at);
    for (const [i, sig] of p.sigs) this.sigs.set(at + i, sig);
    for (const [i, link] of p.whole) this.whole.set(at + i, link);
    const { names, runIds, types } = p;
    for (let i = 0; i < p.length; i++) this.runIds.push(names[runIds[i]]);
    for (let i = 0; i < p.length; i++) this.types.push(names[types[i]]);
    this.length += p.length;
  }

  seq(i: number): number {
    return this.seqs[i];
  }

  runId(i: number): string {
    return this.runIds[i];
  }

  type(i: number): string {
    return this.types[i];
  }

  hash(i: number): string {
    return this.taken[i] === 1 ? this.hex.toString('latin1', 64 * i, 64 * i + 64) : this.whole.get(i)!.hash;
  }

  prevHash(i: number): string {
    return this.taken[i] === 1 ? this.hash(i - 1) : this.whole.get(i)!.prevHash;
  }

  chainsTo(i: number, j: number): boolean {
    if (j === i - 1 && this.taken[i] === 1) return true;
    return this.prevHash(i) === this.hash(j);
  }

  link(i: number): ChainLink {
    return (
      this.whole.get(i) ?? {
        seq: this.seqs[i],
        runId: this.runIds[i],
        type: this.types[i],
        prevHash: this.prevHash(i),
        hash: this.hash(i),
        sig: this.sigs.get(i),
      }
    );
  }
}
