import { describe, expect, it } from 'vitest';
import { compileFiles } from '../../compiler/compile.js';
import { findCredentials } from '../../compiler/rules/credentials.js';
import { locateNeedle } from '../../compiler/rules/template-references.js';

/** Errors and warnings of one in-memory file (info-level RTO notes are not what these tests check). */
const compile = (text: string, path = 'runbooks/r.yaml') =>
  compileFiles([{ path, text }]).diagnostics.filter((d) => d.severity !== 'info');

const runbook = (phases: string, top = '') =>
  `apiVersion: runbook/v1\nkind: Runbook\nmetadata: { name: r }\nspec:\n${top}  phases:\n${phases}`;

describe('step and expression rules', () => {
  it('accept the contract example (without its notify step)', () => {
    const text = runbook(
      `\
    - id: assess
      steps:
        - id: replica-lag
          uses: postgres.query
          with: { url: "{{secrets.DR_DATABASE_URL}}", sql: "select 1 as lag" }
          outputs: { lag: "{{result.rows.0.lag}}" }
          assert: ["{{lt outputs.lag 300}}"]
          estimate: 30s
        - id: declare
          uses: approval
          with: { message: "Fail over to {{inputs.dr_region}}? ({{run.initiator}})" }
    - id: failover
      parallel: true
      steps:
        - id: promote-db
          uses: aws.rds.promote-read-replica
          with: { region: "{{inputs.dr_region}}", dbInstanceIdentifier: ecommerce-prod-db-replica }
          timeout: 10m
          estimate: 5m
        - id: switch-dns
          needs: [promote-db]
          uses: aws.route53.upsert-record
          with: { hostedZoneId: Z1234567890ABC, name: api.example.com, type: CNAME, ttl: 60,
                  value: "{{steps.promote-db.outputs.endpoint}}" }
          rollback:
            uses: aws.route53.upsert-record
            with: { hostedZoneId: Z1234567890ABC, name: api.example.com, type: CNAME, ttl: 60,
                    value: "{{steps.switch-dns.outputs.previousValue}}" }
        - id: wait-db
          needs: [promote-db]
          uses: wait
          with:
            until: '{{eq result.status "available"}}'
            check: { uses: aws.rds.describe-db-instance, with: { dbInstanceIdentifier: ecommerce-prod-db-replica } }
        - id: deploy
          needs: [wait-db]
          if: '{{not run.dryRun}}'
          run: cdk deploy --region "$DR_REGION" --all
          env: { DR_REGION: "{{inputs.dr_region}}", STATUS: "{{steps.wait-db.status}}", DB: "postgres://app:$PGPASSWORD@db/app" }
`,
      `\
  inputs:
    dr_region: { type: choice, options: [us-west-2, eu-west-1], default: us-west-2 }
  secrets: [DR_DATABASE_URL]
  approvals: { approvers: ["@acme/sre-leads"], required: 2, selfApproval: false, timeout: 30m }
`,
    );
    expect(compile(text)).toEqual([]);
  });

  it('reports a step reading its own outputs outside its rollback', () => {
    const text = runbook(`\
    - id: main
      steps:
        - id: a
          run: echo a
          env: { SELF: "{{steps.a.outputs.x}}" }
`);
    expect(compile(text).map((d) => d.code)).toEqual(['non-ancestor-ref']);
  });

  it('points each repeated expression at its own occurrence', () => {
    const text = runbook(`\
    - id: main
      steps:
        - id: a
          run: echo "$X"
          env: { X: "{{inputs.nope}} {{inputs.nope}}" }
`);
    const found = compile(text);
    expect(found.map((d) => d.code)).toEqual(['unknown-input', 'unknown-input']);
    expect(found.map((d) => text.slice(d.range.start, d.range.end))).toEqual(['inputs.nope', 'inputs.nope']);
    expect(found[1].range.start).toBeGreaterThan(found[0].range.start);
  });

  it('treats uses: shell with.script like run:', () => {
    const text = runbook(`\
    - id: main
      steps:
        - id: a
          uses: shell
          with: { script: "echo {{inputs.nope}}" }
`);
    expect(compile(text).map((d) => d.code)).toEqual(['template-in-run']);
  });
});

describe('locateNeedle', () => {
  it('counts earlier occurrences of the same text', () => {
    expect(locateNeedle('{{a}} {{a}}', 6, 11)).toEqual({ needle: '{{a}}', occurrence: 1 });
    expect(locateNeedle('{{a}} {{a}}', 0, 5)).toEqual({ needle: '{{a}}', occurrence: 0 });
  });
});

describe('findCredentials', () => {
  const found = (text: string) => findCredentials(text).map((h) => text.slice(h.start, h.end));

  it('finds literal credentials', () => {
    expect(found('postgres://admin:hunter2@db/app')).toEqual(['hunter2']);
    expect(found('key AKIAIOSFODNN7EXAMPLE')).toEqual(['AKIAIOSFODNN7EXAMPLE']);
    expect(found('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual([
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ]);
    expect(found('-----BEGIN RSA PRIVATE KEY-----\nMIIE')).toEqual(['-----BEGIN RSA PRIVATE KEY-----']);
    expect(found('token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789')).toEqual([
      'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
    ]);
    expect(found('https://hooks.slack.com/services/T0000/B0000/abcdef')).toEqual([
      'https://hooks.slack.com/services/T0000/B0000/abcdef',
    ]);
    expect(found('host=db user=app password=s3cret')).toEqual(['s3cret']);
    expect(found('PGPASSWORD="s3cret" pg_dump')).toEqual(['s3cret']);
  });

  it('leaves references and placeholders alone', () => {
    expect(found('postgres://admin:{{secrets.DB_PASSWORD}}@db/app')).toEqual([]);
    expect(found('postgres://admin:$DB_PASSWORD@db/app')).toEqual([]);
    expect(found('postgres://admin:${DB_PASSWORD}@db/app')).toEqual([]);
    expect(found('postgres://db.internal:5432/app')).toEqual([]);
    expect(found('password=$PGPASSWORD password={{secrets.P}} password=<password>')).toEqual([]);
    expect(found('{{secrets.SLACK_WEBHOOK_URL}}')).toEqual([]);
  });
});
