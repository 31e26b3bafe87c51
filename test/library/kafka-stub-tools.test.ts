import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../support/cli.js';
import { libraryRoot } from '../support/library-root.js';
import { missingCommands } from '../support/commands.js';

/**
 * kafka-backup and kafka-topic-restore (B10: 003:1565-1878) run live against stand-ins for the
 * Kafka command-line tools, kubectl and aws (no Kafka broker here): the console consumer prints
 * what Kafka's DefaultMessageFormatter prints (tab-separated CreateTime, Partition, Offset, key,
 * value), the console producer appends what it reads to a file per topic, `aws s3 cp` copies to and
 * from a directory per bucket. The archive made by the backup is then replayed by the restore:
 * the round trip 003's own scripts could not make (they parse the text as JSON), keys and values
 * (a value holding a tab included) intact, the MD5 checked, the count asserted.
 */
const { root, remove } = libraryRoot();
const stubs = join(root, 'stubs');
const kafka = join(stubs, 'kafka');
const s3 = join(stubs, 's3');
const log = join(stubs, 'calls.log');
const messages = ['order-1\t{"id":1}', 'order-2\t{"id":2,"note":"a\ttab"}', 'order-3\t{"id":3}'];

const stubScript = `#!/bin/bash
name=$(basename "$0")
printf '%s\\n' "$name $*" >> "$STUB_LOG"
topic=""; prev=""
for a in "$@"; do [ "$prev" = --topic ] && topic="$a"; prev="$a"; done
case "$name $*" in
  "kafka-consumer-groups.sh"*"--list"*) printf 'orders-app\\nbilling\\n' ;;
  "kafka-consumer-groups.sh"*"--group mirror-maker-group"*)
    printf 'GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID\\n'
    printf 'mirror-maker-group order-events 0 100 110 %s - - -\\n' "$STUB_LAG"
    printf 'mirror-maker-group order-events 1 100 102 2 - - -\\n' ;;
  "kafka-consumer-groups.sh"*) echo "GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG" ;;
  "kafka-console-consumer.sh"*"--max-messages"*) echo "x" ;;
  "kafka-console-consumer.sh"*"print.offset=true"*)
    i=0
    while IFS= read -r m; do printf 'CreateTime:170000000000%s\\tPartition:0\\tOffset:%s\\t%s\\n' "$i" "$i" "$m"; i=$((i + 1)); done < "$STUB_MESSAGES" ;;
  "kafka-console-consumer.sh"*) cat "$STUB_MESSAGES" ;;
  "kafka-console-producer.sh"*) cat >> "$STUB_KAFKA/produced-$topic.txt" ;;
  "kafka-get-offsets.sh"*)
    n=0; [ -f "$STUB_KAFKA/produced-$topic.txt" ] && n=$(wc -l < "$STUB_KAFKA/produced-$topic.txt")
    echo "$topic:0:$n" ;;
  "kafka-topics.sh"*"--describe"*) exit 1 ;;
  "aws s3 cp"*)
    if [[ "$3" == s3://* ]]; then
      cp "$STUB_S3/\${3#s3://}" "$4"
    else
      dest="$STUB_S3/\${4#s3://}"; [[ "$dest" == */ ]] && dest="$dest$(basename "$3")"
      mkdir -p "$(dirname "$dest")" && cp "$3" "$dest"
    fi ;;
esac
`;

const env = (extra: Record<string, string> = {}) => ({
  PATH: `${join(stubs, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
  STUB_LOG: log,
  STUB_S3: s3,
  STUB_KAFKA: kafka,
  STUB_MESSAGES: join(stubs, 'messages.txt'),
  STUB_LAG: '8',
  RUNBOOK_SHELL_PASSTHROUGH: 'STUB_LOG,STUB_S3,STUB_KAFKA,STUB_MESSAGES,STUB_LAG',
  ...extra,
});
const inputArgs = (inputs: Record<string, string>) =>
  Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
const calls = () => readFileSync(log, 'utf8').split('\n');
const s3Prefix = 's3://ecommerce-backups-prod-us-east-1';

async function run(name: string, inputs: Record<string, string>, extra: Record<string, string> = {}) {
  writeFileSync(log, '');
  const plan = await runCliAsync(['plan', name, '--root', root, '--json', ...inputArgs(inputs)], {}, 60_000);
  expect(plan.status, plan.stdout + plan.stderr).toBe(0);
  const { planHash } = JSON.parse(plan.stdout) as { planHash: string };
  const approvals = join(root, `approvals-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(approvals, JSON.stringify({ approvals: [{ step: '*', approver: '@alice-johnson', planHash }] }));
  const args = ['run', name, '--root', root, '--as', '@sre', '--approvals', approvals, ...inputArgs(inputs)];
  const r = await runCliAsync(args, env(extra), 90_000);
  return { ...r, steps: r.stdout.includes('run id:') ? stepEndsOf(root, r.stdout) : {} };
}

beforeAll(() => {
  mkdirSync(join(stubs, 'bin'), { recursive: true });
  mkdirSync(kafka);
  writeFileSync(join(stubs, 'messages.txt'), `${messages.join('\n')}\n`);
  const tools = ['kafka-consumer-groups.sh', 'kafka-console-consumer.sh', 'kafka-console-producer.sh'];
  for (const name of [...tools, 'kafka-get-offsets.sh', 'kafka-topics.sh', 'kubectl', 'aws']) {
    writeFileSync(join(stubs, 'bin', name), stubScript);
    chmodSync(join(stubs, 'bin', name), 0o755);
  }
});
afterAll(remove);

const skip = missingCommands('jq', 'md5sum', 'gzip');

describe.skipIf(skip)(skip ?? 'Kafka backup and restore against stand-in tools', { timeout: 120_000 }, () => {
  let archiveDate = '';

  it('kafka-backup: lag checked, four topics archived with MD5 and metadata, every group offsets', async () => {
    const r = await run('kafka-backup', {});
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.steps['mirror-lag'].outputs).toMatchObject({ lag: '10' });
    expect(r.steps['archive-topics'].outputs).toMatchObject({ order_events: '3', inventory_events: '3' });
    expect(r.steps['backup-offsets'].outputs).toMatchObject({ groups: '2' });
    [archiveDate] = readdirSync(join(s3, 'ecommerce-backups-prod-us-east-1', 'kafka-archives'));
    const day = join(s3, 'ecommerce-backups-prod-us-east-1', 'kafka-archives', archiveDate);
    expect(readdirSync(day).sort()).toEqual(
      ['customer-events', 'inventory-events', 'metadata.json', 'order-events', 'payment-events'].sort(),
    );
    const gz = join(day, 'order-events', `order-events-${archiveDate}.json.gz`);
    const md5 = execFileSync('md5sum', [gz], { encoding: 'utf8' }).split(' ')[0];
    expect(readFileSync(join(day, 'order-events', `order-events-${archiveDate}.md5`), 'utf8').trim()).toBe(md5);
    expect(JSON.parse(readFileSync(join(day, 'metadata.json'), 'utf8'))).toMatchObject({
      archive_date: archiveDate,
      topics: ['order-events', 'customer-events', 'payment-events', 'inventory-events'],
      retention_days: 90,
    });
    // Offsets, not members (003's --members --verbose lists no offsets).
    expect(calls()).toContain(
      'kafka-consumer-groups.sh --bootstrap-server kafka-broker:9092 --group billing --describe --offsets',
    );
    expect(calls().some((l) => l.includes('--members'))).toBe(false);
  });

  it('kafka-backup: a mirror lagging 1000 messages or more fails the run, and the export directory is removed', async () => {
    const r = await run('kafka-backup', { apply_mirror_maker: 'false' }, { STUB_LAG: '1200' });
    expect(r.status, r.stdout + r.stderr).toBe(4);
    expect(r.steps['mirror-lag'].status).toBe('failed');
    expect(r.steps['archive-topics']).toBeUndefined();
    expect(r.steps['remove-workdir'].status).toBe('succeeded');
  });

  it('kafka-topic-restore from S3: the archive verified and replayed, keys and values intact, count checked', async () => {
    expect(archiveDate).not.toBe('');
    const r = await run('kafka-topic-restore', {
      topic: 'order-events',
      source: 's3-archive',
      archive_date: archiveDate,
      s3_prefix: s3Prefix,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.steps['create-topic'].status).toBe('skipped');
    expect(r.steps.replay.outputs).toMatchObject({ restored: '3' });
    expect(readFileSync(join(kafka, 'produced-order-events.txt'), 'utf8')).toBe(`${messages.join('\n')}\n`);
    expect(existsSync(String((r.steps['check-inputs'].outputs as Record<string, string>).work))).toBe(false);
  });

  it('kafka-topic-restore from S3 refuses an archive whose MD5 does not match', async () => {
    const day = join(s3, 'ecommerce-backups-prod-us-east-1', 'kafka-archives', archiveDate, 'payment-events');
    writeFileSync(join(day, `payment-events-${archiveDate}.md5`), '0123456789abcdef0123456789abcdef\n');
    const r = await run('kafka-topic-restore', {
      topic: 'payment-events',
      source: 's3-archive',
      archive_date: archiveDate,
    });
    expect(r.status, r.stdout + r.stderr).toBe(4);
    expect(r.steps['download-verify'].status).toBe('failed');
    expect(r.steps.replay).toBeUndefined(); // never started: the run aborted at the mismatch
    expect(existsSync(join(kafka, 'produced-payment-events.txt'))).toBe(false);
  });

  it('kafka-topic-restore from the backup cluster: topic created, offsets reset, source-cluster.<topic> copied', async () => {
    const r = await run('kafka-topic-restore', { topic: 'customer-events', consumer_group: 'crm' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const c = calls();
    const create = c.findIndex((l) =>
      l.startsWith(
        'kafka-topics.sh --bootstrap-server kafka-broker:9092 --create --topic customer-events --partitions 6 --replication-factor 3 --config retention.ms=604800000 --config compression.type=lz4',
      ),
    );
    const reset = c.indexOf(
      'kafka-consumer-groups.sh --bootstrap-server kafka-broker:9092 --group crm --topic customer-events --reset-offsets --to-earliest --execute',
    );
    const copy = c.findIndex((l) =>
      l.startsWith(
        'kafka-console-consumer.sh --bootstrap-server kafka-backup-1.us-west-2:9092 --topic source-cluster.customer-events',
      ),
    );
    expect(create).toBeGreaterThanOrEqual(0);
    expect(reset).toBeGreaterThan(create);
    expect(copy).toBeGreaterThan(reset);
    expect(readFileSync(join(kafka, 'produced-customer-events.txt'), 'utf8')).toBe(`${messages.join('\n')}\n`);
    expect(r.steps['copy-from-backup'].outputs).toMatchObject({ copied: '3' });
  });

  it('kafka-topic-restore from the backup cluster without a consumer group fails before writing', async () => {
    const r = await run('kafka-topic-restore', { topic: 'inventory-events' });
    expect(r.status, r.stdout + r.stderr).toBe(4);
    expect(r.steps['check-inputs'].status).toBe('failed');
    expect(calls().filter((l) => l.startsWith('kafka-'))).toEqual([]);
  });
});
