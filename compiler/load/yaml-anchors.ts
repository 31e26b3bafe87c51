import { isAlias, visit, type Alias, type Document, type Node } from 'yaml';

/**
 * Every alias of `doc` → the node it refers to: the last node before it, in document order, that
 * carries its anchor (YAML 1.2 §7.1, and what `Alias.resolve` computes).
 *
 * One pass over the document. `Alias.resolve(doc)` walks the whole document for each alias it
 * resolves, so a file of N aliases took N² steps (80,000 aliases in 320 KB: minutes).
 */
export function aliasTargets(doc: Document): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor) {
        anchors.set(node.anchor, node);
      }
    },
  });
  return targets;
}
