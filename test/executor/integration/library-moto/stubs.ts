/**
 * One bash script installed under the name of each command the library runbooks run that is not
 * an AWS API call made by an action (aws, kubectl, cdk, redis-cli, curl, jq, sleep,
 * kafka-topics.sh). It appends `<name> <args, %q-quoted>` to the
 * log, exits 1 when a line of the fail file is a prefix of that line, and otherwise prints what
 * the runbooks parse from the real command (fixed, realistic values, listed in STUB_ANSWERS).
 * `sleep` returns at once: the runbook's DNS propagation wait means nothing against moto.
 */
export const STUB_ANSWERS = {
  drAlb: 'dr-alb-0123456789.us-west-2.elb.amazonaws.com',
  redisSnapshot: 'ecommerce-redis-snap-2026-12-04',
  redisEndpoint: 'ecommerce-redis-dr.abc123.ng.0001.usw2.cache.amazonaws.com',
  /** What `kubectl get configmap app-config` answers: the primary region's database before the failover. */
  previousDbHost: 'myapp-db.aaaaaaaaaa.us-east-1.rds.amazonaws.com',
} as const;

export function stubScript(o: { log: string; fail: string }): string {
  const a = STUB_ANSWERS;
  return `#!/usr/bin/env bash
name=$(basename "$0")
line=$name
if (( $# > 0 )); then line="$name$(printf ' %q' "$@")"; fi
echo "$line" >> ${JSON.stringify(o.log)}
if [[ -f ${JSON.stringify(o.fail)} ]]; then
  while IFS= read -r prefix; do
    if [[ -n "$prefix" && "$line" == "$prefix"* ]]; then echo "stub $name: failing as told" >&2; exit 1; fi
  done < ${JSON.stringify(o.fail)}
fi
args=" $* "
case "$name" in
  aws)
    case "$args" in
      *" health describe-events "*) echo '[]' ;;
      *" rds describe-db-instances "*StatusInfos*) echo replicating ;;
      *" rds describe-db-instances "*DBInstanceStatus*) echo available ;;
      *" rds describe-db-snapshots "*) : ;; # nothing older than the retention: no output
      *" elasticache describe-snapshots "*) echo ${a.redisSnapshot} ;;
      *" elasticache describe-replication-groups "*PrimaryEndpoint*) echo ${a.redisEndpoint} ;;
      *) echo '{}' ;;
    esac ;;
  kubectl)
    case "$args" in
      *" get svc ingress-nginx-controller "*) echo ${a.drAlb} ;;
      *" get configmap app-config "*) echo ${a.previousDbHost} ;;
      *) echo "kubectl: ok" ;;
    esac ;;
  cdk) echo "cdk: deployed from $PWD: $(cat cdk.context.json 2>/dev/null | tr -d ' \\n')" ;;
  redis-cli) case "$args" in *" INFO stats "*) printf 'keyspace_hits:90\\r\\nkeyspace_misses:10\\r\\n' ;; *) echo 42 ;; esac ;;
  curl) case "$args" in *" %{http_code} "*) printf 200 ;; *) echo '{"ok":true}' ;; esac ;;
  jq) cat ;;
  sleep) : ;;
  kafka-topics.sh) printf 'orders\\ncustomers\\n' ;;
  *) echo "$name: ok" ;;
esac
`;
}
