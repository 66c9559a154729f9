// `npm run bench [-- section ...] [--json]`: prints measured figures; nothing here is a pass/fail test.
// Sections: size, detector, setup, cadence, offline-start, relay, evidence, history, cluster (default: all). With --json the last line is one
// JSON object: the section's figures when one section is asked for, else { section: figures }.
import { sections } from './bench/sections.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
// Section names are the bare words that are not the value of a `--flag value` pair.
const wanted = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1]?.startsWith('--') && !['--json', '--build'].includes(args[i - 1]!)));
const names = wanted.length ? wanted : Object.keys(sections);
const all: Record<string, unknown> = {};
for (const name of names) {
  const section = sections[name];
  if (!section) {
    console.error(`unknown bench section "${name}"; known: ${Object.keys(sections).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name} ==`);
  all[name] = await section(args);
}
if (json) console.log(JSON.stringify(names.length === 1 ? all[names[0]!] : all));
