// Where the real data lives (../shared/fixtures, or LOTWATCH_FIXTURES). Without it, fixture tests skip with a notice;
// under CI=true its absence is an error.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = resolve(process.env.LOTWATCH_FIXTURES ?? join(root, '..', 'shared', 'fixtures'));

export function fixturesAvailable(): boolean {
  if (existsSync(join(FIXTURES, 'FORMAT.md'))) return true;
  if (process.env.CI === 'true') {
    throw new Error(`Fixtures not found at ${FIXTURES} and CI=true: set LOTWATCH_FIXTURES or provide ../shared/fixtures.`);
  }
  console.warn(`[lotwatch] fixtures not found at ${FIXTURES}: fixture tests are skipped (set LOTWATCH_FIXTURES).`);
  return false;
}

export const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

/** The real lot video the e2e tests' fake camera plays (converted by the e2e global setup). */
export const LOT_VIDEO = fixture('video', 'parking-lot-oblique-640x360.mp4');
