import { describe, expect, it } from 'vitest';
import { childName } from '../../ir/child-runbook.js';
import type { IrNode } from '../../ir/types.js';
import { actionCatalog, referenceParam, referencedValue } from '../../common/actions-catalog/index.js';

/**
 * ir/child-runbook.ts answers "which runbook does this step run" without the catalogue (ir/ imports
 * no other layer); the catalogue answers it from `x-references`. They must agree for every action.
 */
describe('childName and the catalogue', () => {
  const ids = [...actionCatalog().keys()];

  it('agree on every action of the catalogue', () => {
    for (const uses of ids) {
      // Every param of the action names the same runbook, so whichever one the schema marks is found.
      const params = Object.keys((actionCatalog().get(uses)!.schema.properties as object | undefined) ?? {});
      const node = { uses, with: Object.fromEntries([...params, 'runbook'].map((p) => [p, 'child-a'])) };
      expect({ uses, child: childName(node as unknown as IrNode) }).toEqual({
        uses,
        child: referencedValue(node, 'Runbook'),
      });
    }
  });

  it('name one action that runs a runbook, by its `runbook` param', () => {
    expect(ids.filter((uses) => referenceParam(uses, 'Runbook') !== undefined)).toEqual(['runbook']);
    expect(referenceParam('runbook', 'Runbook')).toBe('runbook');
  });
});
