#!/usr/bin/env bash
# Installs the publishable packages the way a user would, from their packed
# tarballs into an empty project outside the repository, and uses them there:
# the library through `import` (ESM only) and the `mpi` binary through npx.
# Run after `pnpm build` (CI runs it after the tests). Fails on the first step
# that does not work; KEEP_INSTALL_CHECK=1 keeps the scratch folder to look at.
#
# Why all eight tarballs: @mpi/core depends on @mpi/blocking, @mpi/scoring and @mpi/sql,
# and all of them on @mpi/types; @mpi/index on core, @mpi/server on core and
# index, @mpi/cli (the `mpi` binary) on core, index and server ("workspace:*" in the repo, rewritten to their exact
# versions by `pnpm pack`); until they are on a registry they must be
# installed together. @mpi/index's better-sqlite3 compiles its native module
# on a user's install (a C compiler is needed); here the repository's build of it is reused. Third-party dependencies come from the
# configured npm registry (npm's cache is used first).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PACKAGES=(types blocking scoring sql core index server cli)

fail() { echo "check-install: FAILED: $*" >&2; exit 1; }
step() { echo; echo "== check-install: $*"; }

for p in "${PACKAGES[@]}"; do
  [ -f "$REPO/packages/$p/dist/index.js" ] || [ -f "$REPO/packages/$p/dist/cli.js" ] || fail "packages/$p/dist is missing: run pnpm build first"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpi-install-check-XXXXXX")
case "$WORK" in "$REPO"/*) fail "scratch folder $WORK is inside the repository" ;; esac
cleanup() { if [ "${KEEP_INSTALL_CHECK:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
TARBALLS="$WORK/tarballs"
APP="$WORK/app"
mkdir -p "$TARBALLS" "$APP"

step "pack (pnpm rewrites workspace:* to versions)"
(cd "$REPO" && pnpm -r --filter './packages/*' pack --pack-destination "$TARBALLS") >"$WORK/pack.log" 2>&1 \
  || { cat "$WORK/pack.log" >&2; fail "pnpm pack"; }
ls -l "$TARBALLS"
[ "$(find "$TARBALLS" -name '*.tgz' | wc -l)" -eq "${#PACKAGES[@]}" ] || fail "expected ${#PACKAGES[@]} tarballs in $TARBALLS"

step "tarball contents"
node "$REPO/scripts/check-tarballs.mjs" "$TARBALLS"/*.tgz || fail "tarball contents"

step "npm install the tarballs into an empty project ($APP)"
cd "$APP"
npm init -y >/dev/null
# better-sqlite3 (@mpi/index's SQLite) compiles its native module in its install script, ~4
# minutes on a 2-core machine, and `pnpm install` has already compiled the same version for this
# Node on this machine. So the install scripts are skipped here and that build is copied in; where
# the repository holds no build of the installed version, it is compiled as a user's install would.
# (better-sqlite3 is the only package with an install script among our packages' dependencies:
# checked below, so a new one cannot be skipped unnoticed.)
npm install --no-audit --no-fund --prefer-offline --ignore-scripts "$TARBALLS"/*.tgz || fail "npm install"
node -e '
  const lock = require("./package-lock.json");
  const scripted = Object.entries(lock.packages).filter(([, e]) => e.hasInstallScript).map(([p]) => p);
  const others = scripted.filter((p) => p !== "node_modules/better-sqlite3");
  if (others.length) throw new Error("packages with install scripts besides better-sqlite3: " + others.join(", "));
' || fail "an unexpected install script"
SQLITE_VERSION=$(node -p 'require("./node_modules/better-sqlite3/package.json").version')
BUILT="$REPO/node_modules/.pnpm/better-sqlite3@$SQLITE_VERSION/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
if [ -f "$BUILT" ]; then
  mkdir -p node_modules/better-sqlite3/build/Release
  cp "$BUILT" node_modules/better-sqlite3/build/Release/
  echo "better-sqlite3 $SQLITE_VERSION: the repository's build copied in"
else
  npm rebuild better-sqlite3 --foreground-scripts || fail "better-sqlite3 $SQLITE_VERSION did not compile"
fi
node -e 'const db = new (require("better-sqlite3"))(":memory:"); console.log("better-sqlite3 loads: sqlite", db.prepare("select sqlite_version() v").get().v)' \
  || fail "better-sqlite3 does not load"
# The @mpi packages must come from the tarballs, never from a registry.
node -e '
  const lock = require("./package-lock.json");
  const ours = Object.entries(lock.packages).filter(([path]) => /(^|\/)node_modules\/@mpi\//.test(path));
  if (ours.length !== Number(process.argv[1])) throw new Error("expected " + process.argv[1] + " @mpi packages installed, found " + ours.map(([p]) => p).join(", "));
  for (const [path, entry] of ours) {
    if (!String(entry.resolved).startsWith("file:")) throw new Error(path + " was resolved from " + entry.resolved + ", not a tarball");
    console.log(path, entry.version, "from", entry.resolved);
  }
' "${#PACKAGES[@]}" || fail "@mpi packages not installed from the tarballs"

# Two tiny sources: the same three people in both (typos, a nickname), and one person each alone.
cat >a.csv <<'CSV'
id,first,last,dob,zip
A1,William,Smith,1970-03-05,02139
A2,Maria,Garcia,1985-11-23,10001
A3,Chen,Wei,1992-07-14,94110
A4,Olga,Petrova,1961-01-30,60614
CSV
cat >b.csv <<'CSV'
id,first,last,dob,zip
B1,Bill,Smith,1970-03-05,02139
B2,Maria,Garcia,1985-11-23,10001
B3,Chen,Wie,1992-07-14,94110
B4,Ahmed,Khan,1978-05-02,73301
CSV
cat >settings.json <<'JSON'
{
  "recordId": "id",
  "mode": "link",
  "fields": { "first": "given_name", "last": "family_name", "dob": "birth_date", "zip": "postcode" }
}
JSON

step "the library: import { link, MpiError, writeGroupsCsv } from '@mpi/core'"
cat >use-library.mjs <<'JS'
import { readFileSync } from 'node:fs';
import { link, MpiError, writeGroupsCsv } from '@mpi/core';

const settings = JSON.parse(readFileSync('settings.json', 'utf8'));
const memory = [
  { id: 'M1', first: 'William', last: 'Smith', dob: '1970-03-05', zip: '02139' },
  { id: 'M2', first: 'Sam', last: 'Okafor', dob: '2001-09-09', zip: '30301' },
];
const expected = [
  ...['A1', 'A2', 'A3', 'A4'].map((recordId) => `a:${recordId}`),
  ...['B1', 'B2', 'B3', 'B4'].map((recordId) => `b:${recordId}`),
  ...memory.map((r) => `m:${r.id}`),
];
const result = await link({
  settings,
  sources: [
    { name: 'a', path: 'a.csv' },
    { name: 'b', path: 'b.csv' },
    { name: 'm', records: memory },
  ],
  threads: 1,
});
const seen = new Map();
let groups = 0;
for (const group of result.groups()) {
  groups++;
  for (const ref of group.records) {
    const key = `${ref.source}:${ref.recordId}`;
    if (seen.has(key)) throw new Error(`${key} is in two groups`);
    seen.set(key, group.id);
  }
}
const missing = expected.filter((key) => !seen.has(key));
const unexpected = [...seen.keys()].filter((key) => !expected.includes(key));
if (missing.length || unexpected.length) throw new Error(`groups: missing ${missing} unexpected ${unexpected}`);
await writeGroupsCsv(result, 'library-groups.csv');
const rows = readFileSync('library-groups.csv', 'utf8').trim().split(/\r?\n/);
if (rows[0] !== 'source,record_id,identity_id' || rows.length !== expected.length + 1) {
  throw new Error(`library-groups.csv: header ${rows[0]}, ${rows.length - 1} rows for ${expected.length} records`);
}
// One error base class across the installed packages: the blocking package's
// budget error is caught as @mpi/core's MpiError (one copy of @mpi/types).
try {
  await link({ settings: { ...settings, maxPairs: 1 }, sources: [{ name: 'a', path: 'a.csv' }, { name: 'b', path: 'b.csv' }], threads: 1 });
  throw new Error('maxPairs 1 did not stop the run');
} catch (error) {
  if (!(error instanceof MpiError) || error.code !== 'PAIR_BUDGET_EXCEEDED') throw new Error(`expected an MpiError PAIR_BUDGET_EXCEEDED, got ${error?.name} ${error?.code}`);
}
// The settings JSON Schema is exported as a file of the package.
const schemaUrl = import.meta.resolve('@mpi/core/data/settings.schema.json');
const schema = JSON.parse(readFileSync(new URL(schemaUrl), 'utf8'));
if (typeof schema !== 'object' || !schema.properties) throw new Error('settings.schema.json has no properties');
console.log(`library: ${expected.length} records in ${groups} groups, each record once; library-groups.csv written; a budget error caught as MpiError; schema at ${schemaUrl}`);
JS
node use-library.mjs || fail "the library from the installed packages"

step "the types: a TypeScript file compiles against the installed declarations"
cat >use-types.ts <<'TS'
import { link, type LinkResult, type Settings } from '@mpi/core';
const settings: Settings = { recordId: 'id', fields: { first: 'given_name' } };
export const run: Promise<LinkResult> = link({ settings, sources: [{ name: 'a', path: 'a.csv' }] });
TS
node "$REPO/node_modules/typescript/bin/tsc" --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext \
  --types node --typeRoots "$REPO/node_modules/@types" use-types.ts || fail "types from the installed packages"
echo "types: use-types.ts compiles (module nodenext)"

step "the CLI: npx mpi"
VERSION=$(npx --no -- mpi --version) || fail "npx mpi --version exited $?"
WANT=$(node -p 'require("./node_modules/@mpi/cli/package.json").version')
echo "mpi --version: $VERSION"
[ "$VERSION" = "$WANT" ] || fail "mpi --version printed '$VERSION', the package is $WANT"
set +e
npx --no -- mpi link --settings settings.json --source a=a.csv --source b=b.csv --out cli-groups.csv --quiet
CODE=$?
set -e
[ "$CODE" -eq 0 ] || fail "npx mpi link exited $CODE"
node -e '
  const rows = require("fs").readFileSync("cli-groups.csv", "utf8").trim().split(/\r?\n/);
  if (rows[0] !== "source,record_id,identity_id") throw new Error("header " + rows[0]);
  const keys = rows.slice(1).map((row) => row.split(",").slice(0, 2).join(":")).sort();
  const want = ["a:A1","a:A2","a:A3","a:A4","b:B1","b:B2","b:B3","b:B4"];
  if (JSON.stringify(keys) !== JSON.stringify(want)) throw new Error("records " + keys);
  console.log("cli: exit 0, cli-groups.csv has every record once in " + new Set(rows.slice(1).map((r) => r.split(",")[2])).size + " groups");
' || fail "cli-groups.csv"

step "the identity index: npx mpi index create / add / groups, npx mpi match"
# Built from both sources (the model is trained at build, and one source in link mode has no pairs to train on).
printf 'id,first,last,dob,zip\nC1,William,Smith,1970-03-05,02139\n' >c.csv
npx --no -- mpi index create --index people.db --settings settings.json --source a=a.csv --source b=b.csv --threads 1 --json >index-create.json || fail "mpi index create"
npx --no -- mpi index add --index people.db --source c=c.csv --json >index-add.json || fail "mpi index add"
npx --no -- mpi index groups --index people.db --out index-groups.csv --json >/dev/null || fail "mpi index groups"
npx --no -- mpi match --index people.db --source b=b.csv --out matches.csv --count 1 --json >match.json || fail "mpi match"
node -e '
  const fs = require("fs");
  const created = JSON.parse(fs.readFileSync("index-create.json", "utf8"));
  const added = JSON.parse(fs.readFileSync("index-add.json", "utf8"));
  if (created.records !== 8 || added.records !== 9) throw new Error("index records " + created.records + " then " + added.records);
  const groups = fs.readFileSync("index-groups.csv", "utf8").trim().split(/\r?\n/);
  if (groups[0] !== "source,record_id,identity_id" || groups.length !== 10) throw new Error("index-groups.csv: " + groups.length + " lines");
  const matches = fs.readFileSync("matches.csv", "utf8").trim().split(/\r?\n/);
  if (matches[0] !== "source,record_id,rank,identity_id,match_probability,match_weight,grade") throw new Error("matches.csv header " + matches[0]);
  const idOf = new Map(groups.slice(1).map((row) => row.split(",")).map(([s, r, id]) => [s + ":" + r, id]));
  // Link mode: a query of source b pairs with the records of a only, so a certain first match is the identity its record joined.
  let certain = 0;
  for (const row of matches.slice(1)) {
    const [source, recordId, rank, identityId, , , grade] = row.split(",");
    if (rank !== "1" || grade !== "certain") continue;
    certain++;
    if (identityId !== idOf.get(source + ":" + recordId)) throw new Error("certain match of " + source + ":" + recordId + " is not its own identity");
  }
  if (certain === 0) throw new Error("no query matched an identity with grade certain");
  console.log("index: 8 then 9 records; " + certain + " queries matched their own identity first, graded certain");
' || fail "the identity index from the installed packages"

step "the FHIR server: npx mpi serve refuses to start without a token"
set +e
env -u MPI_API_TOKEN npx --no -- mpi serve --index people.db --port 0 2>serve.err
CODE=$?
set -e
[ "$CODE" -eq 2 ] || fail "mpi serve without a token exited $CODE, not 2"
grep -q MPI_API_TOKEN serve.err || fail "mpi serve without a token did not name MPI_API_TOKEN: $(cat serve.err)"
echo "serve: exit 2 without a token ($(cat serve.err))"

step "ok: the packed tarballs install into an empty project and work there"
