// A lot folder in the fixture format (FORMAT.md) holding some frames of a fixture lot: labels copied, images linked.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from './fixtures.ts';

export function lotFolder(dir: string, lot: string, pick: (i: number, file: string) => boolean): string {
  mkdirSync(join(dir, 'labels'), { recursive: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  readdirSync(fixture('lots', lot, 'labels'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .forEach((f, i) => {
      if (!pick(i, f)) return;
      const label = JSON.parse(readFileSync(fixture('lots', lot, 'labels', f), 'utf8')) as { image: string };
      copyFileSync(fixture('lots', lot, 'labels', f), join(dir, 'labels', f));
      symlinkSync(fixture('lots', lot, label.image), join(dir, label.image));
    });
  return dir;
}
