/**
 * Shell bodies of lowered BackupPlan steps. They are plain scripts (never templates): every value
 * arrives through the environment, like any `run:` step.
 */

const pgDump = {
  backup: `set -euo pipefail
mkdir -p "$BACKUP_DIR"
file="$BACKUP_DIR/$TARGET-$RUN_ID.dump"
pg_dump --format=custom --no-owner --file="$file" --dbname="$DATABASE_URL"
pg_restore --list "$file" > /dev/null   # the archive's table of contents must be readable
echo "path=$file" >> "$RUNBOOK_OUTPUT"
echo "bytes=$(stat -c %s "$file")" >> "$RUNBOOK_OUTPUT"
`,
  restore: `set -euo pipefail
psql --dbname="$DATABASE_URL" -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \\"$SCRATCH_DB\\"" -c "CREATE DATABASE \\"$SCRATCH_DB\\""
# Same server and credentials, other database: swap the URL's path.
scratch_url=$(printf '%s' "$DATABASE_URL" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$SCRATCH_DB#")
pg_restore --no-owner --exit-on-error --dbname="$scratch_url" "$BACKUP_PATH"
`,
  cleanup: `set -euo pipefail
psql --dbname="$DATABASE_URL" -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \\"$SCRATCH_DB\\""
`,
};

const pgBasebackup = {
  backup: `set -euo pipefail
mkdir -p "$BACKUP_DIR"
dir="$BACKUP_DIR/$TARGET-$RUN_ID"
pg_basebackup --dbname="$DATABASE_URL" --pgdata="$dir" --format=plain --wal-method=stream --checkpoint=fast --label="$TARGET-$RUN_ID" --manifest-checksums=SHA256
echo "path=$dir" >> "$RUNBOOK_OUTPUT"
`,
  // A base backup is verified against its manifest (every file's SHA-256 and the WAL needed).
  restore: `set -euo pipefail
pg_verifybackup "$BACKUP_PATH"
`,
  cleanup: `true
`,
};

export const postgresScripts = { pg_dump: pgDump, pg_basebackup: pgBasebackup } as const;
