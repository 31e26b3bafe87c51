import { codeownersEmitter } from './codeowners.js';
import { docsEmitter } from './docs/index.js';
import type { Emitter } from './emitter.js';
import { graphJsonEmitter } from './graph-json.js';
import { workflowEmitters } from './workflows/index.js';

/** Every emitter `runbook compile` runs. One emitter per file. */
export const emitters: readonly Emitter[] = [graphJsonEmitter, docsEmitter, codeownersEmitter, ...workflowEmitters];
