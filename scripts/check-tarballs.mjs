// Checks the packed tarballs of the publishable packages (used by check-install.sh):
// what the code reads at run time is in them, every path package.json names
// exists, every source map's sources are shipped, no workspace: range is left,
// and nothing that is not for users (tests, build info, large files) is.
// Usage: node scripts/check-tarballs.mjs <tarball>...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';

// Files each package opens at run time (new URL(..., import.meta.url), worker entry points, the bin).
const RUNTIME_FILES = {
  '@mpi/types': [],
  '@mpi/blocking': [],
  '@mpi/sql': [],
  '@mpi/scoring': ['data/nicknames.csv', 'data/NICKNAMES-LICENSE.txt', 'data/NOTICE.md', 'dist/compare-worker.js'],
  '@mpi/core': ['data/settings.schema.json', 'dist/read/read-worker.js', 'dist/cli/commands.js'],
  '@mpi/index': ['dist/index.js', 'dist/cli/index.js'],
  '@mpi/server': ['dist/index.js', 'dist/cli/index.js'],
  '@mpi/cli': ['dist/cli.js', 'dist/program.js'],
};
const EVERY_PACKAGE = ['package.json', 'README.md', 'LICENSE'];
const NOT_FOR_USERS = [/(^|\/)test\//, /\.tsbuildinfo$/, /(^|\/)node_modules\//, /\.test\.[cm]?[jt]s$/];
const LARGEST_FILE = 512 * 1024;

const problems = [];
for (const tarball of process.argv.slice(2)) {
  const dir = mkdtempSync(join(tmpdir(), 'mpi-tarball-'));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const listing = execFileSync('tar', ['-tzvf', tarball], { encoding: 'utf8' }).trim().split('\n');
    const files = new Map();
    for (const line of listing) {
      const match = /^\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line);
      if (!match) throw new Error(`cannot read tar listing line: ${line}`);
      if (match[2].endsWith('/')) continue;
      files.set(match[2].replace(/^package\//, ''), Number(match[1]));
    }
    const manifestText = readFileSync(join(dir, 'package', 'package.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    const name = manifest.name;
    const bad = (why) => problems.push(`${name}: ${why}`);
    const total = [...files.values()].reduce((a, b) => a + b, 0);
    console.log(`${name}@${manifest.version}: ${files.size} files, ${(total / 1024).toFixed(1)} KiB unpacked`);

    if (manifestText.includes('workspace:')) bad('package.json still has a workspace: range');
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      if (dep.startsWith('@mpi/') && range !== manifest.version) bad(`depends on ${dep}@${range}, not ${manifest.version}`);
    }
    if (manifest.type !== 'module') bad('"type" is not "module"');
    if (manifest.engines?.node !== '>=20') bad('engines.node is not ">=20"');

    const expected = [...EVERY_PACKAGE, ...(RUNTIME_FILES[name] ?? [])];
    if (!(name in RUNTIME_FILES)) bad('not a package this check knows: add its run-time files to RUNTIME_FILES');
    for (const file of expected) if (!files.has(file)) bad(`${file} is missing`);

    // Every path package.json points at.
    const targets = [];
    const walk = (value) => {
      if (typeof value === 'string') targets.push(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(manifest.exports);
    walk(manifest.bin);
    if (Array.isArray(manifest.sideEffects)) walk(manifest.sideEffects);
    if (manifest.main) targets.push(manifest.main);
    if (manifest.types) targets.push(manifest.types);
    if (!manifest.exports?.['.']?.types || !manifest.exports?.['.']?.import) bad('exports["."] needs types and import');
    for (const target of targets) if (!files.has(normalize(target))) bad(`package.json names ${target}, not in the tarball`);

    // src ships (the maps point into it), so a dist file without its source is left over
    // from a file deleted or moved since dist was built: rm -rf packages/*/dist, then build.
    for (const file of files.keys()) {
      const built = /^dist\/(.+?)(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/.exec(file);
      if (built && !files.has(`src/${built[1]}.ts`)) bad(`${file} has no src/${built[1]}.ts (stale build output?)`);
    }
    for (const [file, size] of files) {
      if (NOT_FOR_USERS.some((pattern) => pattern.test(file))) bad(`${file} is not for users`);
      if (size > LARGEST_FILE) bad(`${file} is ${size} bytes (over ${LARGEST_FILE})`);
      if (!file.endsWith('.map')) continue;
      const map = JSON.parse(readFileSync(join(dir, 'package', file), 'utf8'));
      for (const source of map.sources) {
        const shipped = normalize(join(dirname(file), map.sourceRoot ?? '', source));
        if (!files.has(shipped)) bad(`${file} points at ${shipped}, not in the tarball`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (problems.length) {
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log('tarballs: run-time files, package.json paths and source maps all present');
