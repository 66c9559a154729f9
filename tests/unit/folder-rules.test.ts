// src/README.md's folder table is the rule: every relative import in src/ goes where that table allows. Read from the
// README itself, so the table and the code cannot drift apart.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

interface Rule {
  folder: string;
  /** Folders (`x/`) and files (`x/y.ts`) it may import; null: anything. */
  allowed: string[] | null;
  /** Folders it must not import even when `allowed` is null. */
  denied: string[];
}

function readRules(): Rule[] {
  const rows = readFileSync(join(SRC, 'README.md'), 'utf8')
    .split('\n')
    .filter((l) => /^\| `[a-z]+\/` \|/.test(l));
  return rows.map((row) => {
    const cells = row.split('|').map((c) => c.trim());
    const folder = /`([a-z]+\/)`/.exec(cells[1]!)![1]!;
    const rule = cells[3]!;
    const paths = [...rule.matchAll(/`([a-z-]+\/[a-z.-]*)`/g)].map((m) => m[1]!);
    if (rule.startsWith('everything but')) return { folder, allowed: null, denied: paths };
    if (rule.startsWith('everything')) return { folder, allowed: null, denied: [] };
    return { folder, allowed: paths, denied: [] };
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of a file (static, side-effect, type-only and dynamic), as paths inside src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s)).split('\\').join('/'));
}

const rules = readRules();
const folderOf = (path: string) => (path.includes('/') ? `${path.split('/')[0]}/` : null);

describe('src/README.md folder rules', () => {
  it('has a row for every folder of src/', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${e.name}/`);
    expect(rules.map((r) => r.folder).sort()).toEqual(folders.sort());
  });

  for (const rule of rules) {
    it(`${rule.folder} imports only what the table allows`, () => {
      const wrong: string[] = [];
      for (const file of sourceFiles(join(SRC, rule.folder))) {
        for (const target of importsOf(file)) {
          const to = folderOf(target);
          if (!to || to === rule.folder) continue;
          const ok = rule.allowed === null ? !rule.denied.includes(to) : rule.allowed.some((a) => a === to || a === target);
          if (!ok) wrong.push(`${relative(SRC, file)} → ${target}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('components import no controller, not even for a type', () => {
    const wrong = sourceFiles(join(SRC, 'components')).flatMap((file) =>
      importsOf(file)
        .filter((t) => /(-controller|sw-bridge)\.ts$/.test(t))
        .map((t) => `${relative(SRC, file)} → ${t}`),
    );
    expect(wrong).toEqual([]);
  });
});
