import { describe, expect, it } from 'vitest';
import { renderAuditReport, renderHistoryRows } from '../../../executor/report/index.js';
import { parse, plain, rows, section, tableOf } from './mdast.js';
import { dryRunRecord, dryRunThroughGate, failoverGates, fastDemoDrill } from './fast-scenarios.js';

/**
 * A dry run asks nobody and measures nothing, and its report must say both: which gates a live
 * run would stop at and whom they would ask, and "not measured (dry run)" for RTO and RPO in every
 * view (report, record's history row), never "missed". And every report names its environment.
 */
const facts = (md: string) => Object.fromEntries(rows(parse(md).children.find((n) => n.type === 'table')).slice(1));

describe('the report of a dry run through a two-person gate', async () => {
  const records = await dryRunThroughGate();
  const md = renderAuditReport(records, { record: dryRunRecord, gates: failoverGates });
  const tree = parse(md);

  it('names the gate it walked, whom a live run would ask, and that nobody was asked', () => {
    expect(md).not.toContain('No step needed an approval');
    expect(plain(section(tree, 'Approvals')[0])).toBe(
      'This dry run walked 1 approval gate. Nobody was asked: a dry run plans each gate without prompting. A live run or drill would stop at each and ask:',
    );
    // `never-reached` is a gate of the runbook the run did not walk: not listed.
    expect(tableOf(tree, 'Approvals')).toEqual([
      ['Gate', 'Would ask', 'Asked in this run'],
      ['declare', '2 of @acme/sre, @acme/executive, not the initiator', 'no (dry run)'],
    ]);
  });

  it('still names the gate without the graph, and says its approvers are not in the log', () => {
    const bare = parse(renderAuditReport(records, { record: dryRunRecord }));
    expect(tableOf(bare, 'Approvals')[1]).toEqual([
      'declare',
      "not in a dry run's audit log (see the gate on the runbook's page)",
      'no (dry run)',
    ]);
  });

  it('says RTO and RPO were not measured, even where an older record claims a measurement', () => {
    expect(dryRunRecord.rto.measuredMs).toBe(9);
    expect(plain(section(tree, 'Summary')[0])).toMatch(/^✅ The drill succeeded\. Objectives not measured \(dry run\)/);
    expect(md).not.toMatch(/Objectives (missed|met)/);
    expect(tableOf(tree, 'Summary').slice(1, 3)).toEqual([
      ['RTO', '1h', '—', 'not measured (dry run)'],
      ['RPO', '15m', '—', 'not measured (dry run)'],
    ]);
    expect(md).toContain('RTO 1h: not measured (dry run).');
    expect(renderHistoryRows([dryRunRecord])[0].rto).toBe('not measured (dry run)');
  });

  it('names the environment', () => {
    expect(facts(md).Environment).toBe("production-failover (the runbook's)");
  });
});

describe('the report of the loopback demo', () => {
  it('says it ran against local, the loopback demo, and how much of the RTO it used', async () => {
    const md = renderAuditReport(await fastDemoDrill());
    expect(facts(md).Environment).toBe('local (loopback demo)');
    expect(md).toContain('RTO 20m: 244ms used (0.02 %).');
  });
});
