// A schema change is never silent: every breaking change to schema.graphql since the latest
// release (releases/v*/schema.graphql, written by scripts/release.sh beside the tag) must be
// named in CHANGELOG.md's "Unreleased" section by its schema coordinate, e.g.
// `EServiceProject.budget`. Non-breaking and dangerous changes are listed for the changelog.
//
//   node check.mjs            check the working tree
//   node check.mjs --self-test  prove the check refuses an unnamed breaking change
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { diff, CriticalityLevel } from '@graphql-inspector/core';

const root = join(import.meta.dirname, '..', '..');

/** The latest release's version and schema. */
function latestRelease() {
  const dir = join(root, 'releases');
  const versions = existsSync(dir)
    ? readdirSync(dir).filter((v) => /^v\d+\.\d+\.\d+$/.test(v))
    : [];
  if (versions.length === 0) return null;
  const key = (v) => v.slice(1).split('.').map(Number);
  versions.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  const version = versions.at(-1);
  const sdl = readFileSync(join(dir, version, 'schema.graphql'), 'utf8');
  // Where the tag is at hand, the recorded schema must be the tagged one.
  try {
    const tagged = execFileSync('git', ['show', `${version}:schema.graphql`], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    if (tagged !== sdl) throw new Error(`releases/${version}/schema.graphql is not the schema tagged ${version}`);
  } catch (e) {
    if (e.message.includes('is not the schema')) throw e;
  }
  return { version, sdl };
}

/** The text of CHANGELOG.md's Unreleased section. */
function unreleased(changelog) {
  const start = changelog.search(/^## \[?Unreleased\]?/m);
  if (start < 0) return '';
  const rest = changelog.slice(start + 3);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Breaking changes from `oldSdl` to `newSdl` that `notes` does not name, and the others. */
export async function check(oldSdl, newSdl, notes) {
  const changes = await diff(buildSchema(oldSdl), buildSchema(newSdl));
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  const unnamed = breaking.filter((c) => !notes.includes(`\`${c.path}\``));
  const others = changes.filter((c) => c.criticality.level !== CriticalityLevel.Breaking);
  return { breaking, unnamed, others };
}

async function selfTest() {
  const sdl = readFileSync(join(root, 'schema.graphql'), 'utf8');
  const cut = sdl.replace(/^(type EServiceProject [^{]*\{[\s\S]*?)\n\tbudget: Decimal!/m, '$1');
  if (cut === sdl) throw new Error('self-test: EServiceProject.budget not found to remove');
  const silent = await check(sdl, cut, '');
  if (!silent.unnamed.some((c) => c.path === 'EServiceProject.budget')) {
    throw new Error('self-test: removing EServiceProject.budget was not refused');
  }
  const named = await check(sdl, cut, '- Removed `EServiceProject.budget` (use `costSharing`).');
  if (named.unnamed.length !== 0) throw new Error('self-test: a named breaking change was still refused');
  const added = sdl.replace(/^type EServiceProject ([^{]*)\{/m, 'type EServiceProject $1{\n\tnewField: Int');
  if ((await check(sdl, added, '')).breaking.length !== 0) throw new Error('self-test: an added field was called breaking');
  console.log('schema-check self-test: ok');
}

async function main() {
  if (process.argv.includes('--self-test')) return selfTest();
  const release = latestRelease();
  if (!release) throw new Error('no release under releases/ to compare with (scripts/release.sh makes one)');
  const current = readFileSync(join(root, 'schema.graphql'), 'utf8');
  const notes = unreleased(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'));
  const { breaking, unnamed, others } = await check(release.sdl, current, notes);
  console.log(`schema-check: since ${release.version}: ${breaking.length} breaking, ${others.length} other changes`);
  for (const c of others) console.log(`  ${c.criticality.level.toLowerCase()}: ${c.message}`);
  for (const c of breaking) console.log(`  breaking${unnamed.includes(c) ? ' (NOT in CHANGELOG.md)' : ''}: ${c.message}`);
  if (unnamed.length) {
    console.error(`schema-check: name each breaking change in CHANGELOG.md under "Unreleased" by its coordinate: ${unnamed.map((c) => '`' + c.path + '`').join(', ')}`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(`schema-check: ${e.message}`);
  process.exit(1);
});
