// Which files of a build belong to which part of the app, for the size bench and the build test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Chunks only the history view and its upkeep load (imported dynamically when opened): what the history entry chunks
 * reach by static imports, less what every other entry (the page's script, the other dynamic imports) reaches.
 */
export function historyViewFiles(files: string[], dist: string): Set<string> {
  const js = files.filter((f) => f.endsWith('.js'));
  const text = new Map(js.map((f) => [f, readFileSync(f, 'utf8')]));
  const refs = (f: string, re: RegExp) => [...(text.get(f) ?? '').matchAll(re)].map((m) => join(f, '..', m[1]!));
  const staticDeps = (f: string) => refs(f, /(?:from|import)\s*["'`]\.\/([\w.-]+\.js)["'`]/g);
  const reach = (roots: string[]) => {
    const seen = new Set<string>();
    const todo = [...roots];
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      todo.push(...staticDeps(f));
    }
    return seen;
  };
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const page = [...html.matchAll(/src="\/(assets\/[\w.-]+\.js)"/g)].map((m) => join(dist, m[1]!));
  const dynamic = [...new Set(js.flatMap((f) => refs(f, /import\(\s*["'`]\.\/([\w.-]+\.js)["'`]\s*\)/g)))];
  const isHistory = (f: string) => /[\\/](lw-history-page|device-history|relay-history|history-maintenance)-[\w-]+\.js$/.test(f);
  const fromHistory = reach(dynamic.filter(isHistory));
  const fromRest = reach([...page, ...dynamic.filter((f) => !isHistory(f))]);
  return new Set([...fromHistory].filter((f) => !fromRest.has(f)));
}
