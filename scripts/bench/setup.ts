// `npm run bench -- setup`: marks the 100 labelled slots of one PUCPR frame through the real, built app in real
// Chromium, on a 360x740 touch screen, with the row and grid tools, the way a person would: for each row, four
// corner taps near its outer corners, the count, and the dividers that are visibly off dragged onto the painted lines.
// Prints the pointer actions used, the IoU of the app's polygons against the labels, and the balanced accuracy of
// `npm run eval` on every PUCPR frame with the app's layout and with the labelled polygons.
//
// The person (seeded, `--seed N`, default 1):
// - a corner: the finger lands up to LAND_PX from the corner, slides onto it watching the loupe, and lifts within
//   AIM_PX of it (CSS pixels: at the fitted zoom one CSS pixel is 3.8 frame pixels); one action;
// - the count: the suggestion is kept when right; off by 1 or 2, the − / + buttons; otherwise a tap on the field and
//   the digits typed (counted as keys, not pointer actions);
// - a divider more than OFF_SHARE of a slot away from the painted line (here: the labels' boundary between two bays):
//   pinch to 4x around it (one action), drag it onto the line (one action, same precision), two-finger pan to the next
//   one when needed (one action), "Fit" when the row is done (one action);
// - "Done" after each row (one action); tool buttons and "Edit slots" count too.
// The detector plays no part in marking: its model request is held, so the shared cores stay free for the UI.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { preview } from 'vite';
import { parseLotwatchLayout } from '../../src/layout/layout-format.ts';
import type { Point } from '../../src/occupancy/types.ts';
import { dividers, stageGeometry, Touch, type Px } from '../../tests/e2e/support/touch.ts';
import { fixture, fixturesAvailable } from '../../tests/support/fixtures.ts';
import { launchChromium } from '../lib/browser.ts';
import { PROJECT_ROOT } from '../lib/node-tf.ts';
import { polygonIoU } from '../../src/occupancy/geometry.ts';
import { seededRandom } from '../../tests/support/seeded-random.ts';

const LAND_PX = 8;
const AIM_PX = 1;
const OFF_SHARE = 0.3;
const DIVIDER_ZOOM = 4;
const FRAME = '2012-09-13_17_00_33';

/** The rows of the PUCPR frame as a person sees them: labelled bay ids, row by row; two rows together are a block. */
const PLAN: { tool: 'Row' | 'Grid'; rows: string[][] }[] = [
  { tool: 'Row', rows: [ids(1, 22)] },
  { tool: 'Grid', rows: [ids(23, 44), ids(45, 66)] },
  { tool: 'Row', rows: [ids(67, 88)] },
  { tool: 'Row', rows: [ids(89, 100)] },
];

function ids(a: number, b: number): string[] {
  return Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
}

interface Labelled {
  width: number;
  height: number;
  slots: { id: string; polygon: [number, number][]; occupied: boolean | null }[];
}

export interface SetupBench {
  actions: number;
  keys: number;
  meanIoU: number;
  minIoU: number;
  balancedAccuracy: number | null;
  balancedAccuracyLabelled: number | null;
  breakdown: Record<string, number>;
  rows: { slots: number; suggested: number; dividersDragged: number }[];
  seed: number;
  evalNote: string;
}

const arg = (args: string[], flag: string, dflt: number) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

const centroid = (p: readonly Px[]): Px => [p.reduce((s, q) => s + q[0], 0) / p.length, p.reduce((s, q) => s + q[1], 0) / p.length];

/** The outer corners of a row of labelled bays: the first bay's two far-left corners and the last bay's far-right ones. */
function rowEnds(first: readonly Px[], last: readonly Px[]): { tl: Px; tr: Px; br: Px; bl: Px } {
  const c0 = centroid(first);
  const c1 = centroid(last);
  const n = Math.hypot(c1[0] - c0[0], c1[1] - c0[1]) || 1;
  const u: Px = [(c1[0] - c0[0]) / n, (c1[1] - c0[1]) / n];
  const v: Px = [-u[1], u[0]];
  const along = (p: Px) => p[0] * u[0] + p[1] * u[1];
  const across = (p: Px) => p[0] * v[0] + p[1] * v[1];
  const left = [...first].sort((a, b) => along(a) - along(b)).slice(0, 2).sort((a, b) => across(a) - across(b));
  const right = [...last].sort((a, b) => along(b) - along(a)).slice(0, 2).sort((a, b) => across(a) - across(b));
  return { tl: left[0]!, bl: left[1]!, tr: right[0]!, br: right[1]! };
}

/** The painted line between two neighbouring bays: the middle of the first's right side and the second's left side. */
function boundary(a: readonly Px[], b: readonly Px[]): Px {
  const u: Px = [centroid(b)[0] - centroid(a)[0], centroid(b)[1] - centroid(a)[1]];
  const along = (p: Px) => p[0] * u[0] + p[1] * u[1];
  const aRight = [...a].sort((p, q) => along(q) - along(p)).slice(0, 2);
  const bLeft = [...b].sort((p, q) => along(p) - along(q)).slice(0, 2);
  return centroid([...aRight, ...bLeft]);
}

export async function benchSetup(args: string[]): Promise<SetupBench | { skipped: string }> {
  if (!fixturesAvailable()) return { skipped: 'fixtures not found' };
  const seed = arg(args, '--seed', 1);
  const random = seededRandom(seed);
  const inDisc = (r: number): Px => {
    const a = random() * 2 * Math.PI;
    const d = Math.sqrt(random()) * r;
    return [Math.cos(a) * d, Math.sin(a) * d];
  };
  const labels = JSON.parse(readFileSync(fixture('lots', 'pucpr', 'labels', `${FRAME}.json`), 'utf8')) as Labelled;
  const bay = new Map(labels.slots.map((s) => [s.id, s.polygon as Px[]]));

  buildIfStale();
  const server = await preview({ root: PROJECT_ROOT, logLevel: 'error', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const address = server.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await launchChromium();
  const breakdown: Record<string, number> = {};
  const rowsOut: SetupBench['rows'] = [];
  let keys = 0;
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.route('**/models/coco-ssd/model.json', () => {});
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.locator('lw-source-picker input[accept="image/*"]').setInputFiles(fixture('lots', 'pucpr', 'images', `${FRAME}.jpg`));
    await page.locator('.stage img').waitFor();
    const touch = await Touch.on(page);
    const count = async (what: string, act: () => Promise<void>) => {
      const before = touch.actions;
      await act();
      breakdown[what] = (breakdown[what] ?? 0) + touch.actions - before;
    };
    const zoomOf = async () => Number(await page.locator('lw-slot-overlay svg').getAttribute('data-zoom'));

    /** Lands near `target` (page px), slides onto it within AIM_PX, lifts. `grabFrom`: where the held thing is. */
    const slideOnto = async (press: Px, target: Px, held: Px = press) => {
      const aim = inDisc(AIM_PX);
      const end: Px = [press[0] + target[0] - held[0] + aim[0], press[1] + target[1] - held[1] + aim[1]];
      await touch.drag(press, end, 6);
    };

    await count('tools and buttons', () => touch.tapOn(page.getByRole('button', { name: 'Edit slots' })));
    let tool = '';
    for (const group of PLAN) {
      if (tool !== group.tool) {
        await count('tools and buttons', () => touch.tapOn(page.getByRole('button', { name: group.tool, exact: true })));
        tool = group.tool;
      }
      const top = rowEnds(bay.get(group.rows[0]![0]!)!, bay.get(group.rows[0]!.at(-1)!)!);
      const bottom = rowEnds(bay.get(group.rows.at(-1)![0]!)!, bay.get(group.rows.at(-1)!.at(-1)!)!);
      const g = await stageGeometry(page);
      for (const corner of [top.tl, top.tr, bottom.br, bottom.bl]) {
        const target = g.toPage(corner);
        const land = inDisc(LAND_PX);
        await count('corners', () => slideOnto([target[0] + land[0], target[1] + land[1]], target));
      }

      // The count.
      const cols = group.rows[0]!.length;
      const field = page.getByRole('spinbutton', { name: group.rows.length > 1 ? 'Slots in each row' : 'Slots in the row' });
      await field.waitFor();
      const suggested = Number(await field.inputValue());
      const diff = cols - suggested;
      if (diff !== 0 && Math.abs(diff) <= 2) {
        const button = page.getByRole('button', { name: `${group.rows.length > 1 ? 'Slots in each row' : 'Slots in the row'}: ${diff > 0 ? 'one more' : 'one fewer'}` });
        for (let i = 0; i < Math.abs(diff); i++) await count('count', () => touch.tapOn(button));
      } else if (diff !== 0) {
        await count('count', () => touch.tapOn(field));
        await page.keyboard.type(String(cols));
        await page.keyboard.press('Enter');
        keys += String(cols).length + 1;
      }
      await page.waitForFunction(
        (n) => document.querySelector('lw-app')?.shadowRoot?.querySelector('lw-slot-overlay')?.shadowRoot?.querySelectorAll('line.divider[data-kind="col"]').length === n,
        group.rows.length * (cols - 1),
      );

      // The dividers that are visibly off.
      let dragged = 0;
      for (let guard = 0; guard < 40; guard++) {
        const geo = await stageGeometry(page);
        const lines = (await dividers(page)).filter((d) => d.kind === 'col');
        const off = lines
          .map((d) => {
            const ids = group.rows[d.row]!;
            const [a, b] = [bay.get(ids[d.index]!)!, bay.get(ids[d.index + 1]!)!];
            const target = boundary(a, b);
            const at = geo.toFrame(d.mid);
            const slotWidth = Math.hypot(centroid(b)[0] - centroid(a)[0], centroid(b)[1] - centroid(a)[1]);
            return { d, target, share: Math.hypot(at[0] - target[0], at[1] - target[1]) / slotWidth };
          })
          .filter((o) => o.share > OFF_SHARE)
          .sort((x, y) => y.share - x.share);
        const worst = off[0];
        if (!worst) break;
        await bringIntoView(page, touch, worst.target, count);
        const now = await stageGeometry(page);
        const line = (await dividers(page)).find((d) => d.kind === 'col' && d.row === worst.d.row && d.index === worst.d.index)!;
        const land = inDisc(3);
        await count('dividers', () => slideOnto([line.mid[0] + land[0], line.mid[1] + land[1]], now.toPage(worst.target), line.mid));
        dragged++;
      }
      if ((await zoomOf()) > 1) await count('zoom', () => touch.tapOn(page.getByRole('button', { name: 'Fit' })));
      await count('tools and buttons', () => touch.tapOn(page.getByRole('button', { name: 'Done', exact: true })));
      rowsOut.push({ slots: group.rows.length * cols, suggested: suggested * group.rows.length, dividersDragged: dragged });
    }
    const actions = touch.actions;

    // The app's own export, through its UI (not counted: this is the measurement, not the marking).
    await page.locator('details[data-panel="layout-files"] summary').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export layout' }).click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    const parsed = parseLotwatchLayout(JSON.parse(text), 'export');
    if (!parsed.ok) throw new Error(`the app exported a layout it cannot read back: ${parsed.error}`);
    const outDir = join(PROJECT_ROOT, '.cache');
    mkdirSync(outDir, { recursive: true });
    const layoutFile = join(outDir, 'bench-setup-layout.json');
    writeFileSync(layoutFile, text);

    const W = labels.width;
    const H = labels.height;
    const mine = parsed.layout.slots.map((s) => s.polygon.map(([x, y]) => [x * W, y * H] as Point));
    const ious = labels.slots.map((l) => Math.max(0, ...mine.map((m) => polygonIoU(m, l.polygon as Point[]))));
    const meanIoU = ious.reduce((s, v) => s + v, 0) / ious.length;
    const minIoU = Math.min(...ious);
    const { withLayout, labelled, note } = runEval(layoutFile);
    const result: SetupBench = {
      actions,
      keys,
      meanIoU: round(meanIoU, 4),
      minIoU: round(minIoU, 4),
      balancedAccuracy: withLayout,
      balancedAccuracyLabelled: labelled,
      breakdown,
      rows: rowsOut,
      seed,
      evalNote: note,
    };
    print(result, mine.length);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Makes sure the frame point `target` is on screen at DIVIDER_ZOOM, away from the edges: a pinch around it when the
 * view is fitted, a two-finger pan when it is zoomed but the point is off to one side, a Fit and a pinch when it is far.
 */
async function bringIntoView(page: Page, touch: Touch, target: Px, count: (what: string, act: () => Promise<void>) => Promise<void>): Promise<void> {
  let g = await stageGeometry(page);
  const zoomed = g.view.w < 1280 / 2;
  const p = g.toPage(target);
  const inner = (q: Px) =>
    q[0] > g.box.x + g.box.width * 0.15 && q[0] < g.box.x + g.box.width * 0.85 && q[1] > g.box.y + g.box.height * 0.15 && q[1] < g.box.y + g.box.height * 0.85;
  if (zoomed && inner(p)) return;
  const centre: Px = [g.box.x + g.box.width / 2, g.box.y + g.box.height / 2];
  const shift: Px = [centre[0] - p[0], centre[1] - p[1]];
  const reach = (q: Px, spread: number) =>
    q[0] - spread / 2 > g.box.x + 4 && q[0] + spread / 2 < g.box.x + g.box.width - 4 && q[1] > g.box.y + 4 && q[1] < g.box.y + g.box.height - 4;
  if (zoomed) {
    // Two fingers on the picture, moved together by the shift, if they stay on it; else back to Fit first.
    const start: Px = [centre[0] - shift[0] / 2, centre[1] - shift[1] / 2];
    const end: Px = [centre[0] + shift[0] / 2, centre[1] + shift[1] / 2];
    if (reach(start, 80) && reach(end, 80)) {
      await count('zoom', () => touch.pinch(start, 80, end, 80));
      return;
    }
    await count('zoom', () => touch.tapOn(page.getByRole('button', { name: 'Fit' })));
    g = await stageGeometry(page);
  }
  // Pinch out around the point, moving it towards the middle as the fingers spread.
  const q = g.toPage(target);
  const spread0 = 24;
  const from: Px = [Math.min(Math.max(q[0], g.box.x + spread0), g.box.x + g.box.width - spread0), q[1]];
  const to: Px = [(from[0] + g.box.x + g.box.width / 2) / 2, (from[1] + g.box.y + g.box.height / 2) / 2];
  const spread1 = Math.min(spread0 * DIVIDER_ZOOM, g.box.width - 16);
  await count('zoom', () => touch.pinch(from, spread0, to, spread1));
  const after = await stageGeometry(page);
  if (!inner(after.toPage(target))) {
    // The fingers could not put it in the middle (near an edge of the frame): one more two-finger pan.
    const c: Px = [after.box.x + after.box.width / 2, after.box.y + after.box.height / 2];
    const t = after.toPage(target);
    const s: Px = [(c[0] - t[0]) / 2, (c[1] - t[1]) / 2];
    await count('zoom', () => touch.pinch([c[0] - s[0], c[1] - s[1]], 80, [c[0] + s[0], c[1] + s[1]], 80));
  }
}

function buildIfStale(): void {
  const index = join(PROJECT_ROOT, 'dist', 'index.html');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs),
      0,
    );
  if (!existsSync(index) || newest(join(PROJECT_ROOT, 'src')) > statSync(index).mtimeMs) {
    execFileSync('npx', ['vite', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  }
}

/**
 * `npm run eval` with the app's layout and with the labelled polygons. The shipped weights were trained on every PUCPR
 * frame (eval would score none), so both runs use weights trained without PUCPR: PUCPR as a lot they never saw.
 */
function runEval(layoutFile: string): { withLayout: number | null; labelled: number | null; note: string } {
  const lot = fixture('lots', 'pucpr');
  const weights = join(PROJECT_ROOT, '.cache', 'weights-without-pucpr.json');
  const npm = (args: string[]) => execFileSync('npm', ['run', '--silent', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    if (!existsSync(weights)) npm(['train', '--', '--lot', fixture('lots', 'acpds'), '--lot', fixture('lots', 'carpark'), '--out', weights]);
  } catch (err) {
    return { withLayout: null, labelled: null, note: `n/a: training weights without PUCPR failed: ${firstLine(err)}` };
  }
  const run = (extra: string[]): number | null => {
    try {
      const report = JSON.parse(npm(['eval', '--', '--lot', lot, '--weights', weights, ...extra, '--json']).trim().split('\n').at(-1) ?? '') as {
        frames?: number;
      };
      return report.frames ? findBalanced(report) : null;
    } catch (err) {
      console.error(`npm run eval ${extra.join(' ')} failed: ${firstLine(err)}`);
      return null;
    }
  };
  return {
    withLayout: run(['--layout', layoutFile]),
    labelled: run([]),
    note: `npm run eval -- --lot ${lot} --weights ${weights} [--layout ${layoutFile}] --json; weights from npm run train without PUCPR`,
  };
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : String(err));

/** The balanced accuracy in eval's JSON: the first number under a key that says so, breadth first. */
function findBalanced(v: unknown): number | null {
  const queue: unknown[] = [v];
  while (queue.length) {
    const x = queue.shift();
    if (!x || typeof x !== 'object') continue;
    for (const [k, val] of Object.entries(x)) {
      if (/balanced/i.test(k) && typeof val === 'number') return val;
      queue.push(val);
    }
  }
  return null;
}

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

function print(r: SetupBench, polygons: number): void {
  const fmt = (v: number | null) => (v === null ? 'n/a' : v.toFixed(4));
  console.log(`PUCPR ${FRAME}, 100 labelled slots, 360x740 touch screen, seed ${r.seed}`);
  r.rows.forEach((row, i) =>
    console.log(`  ${PLAN[i]!.tool.toLowerCase()} of ${row.slots} slots: suggested ${row.suggested}, dividers dragged ${row.dividersDragged}`),
  );
  console.log(
    `pointer actions: ${r.actions} (${Object.entries(r.breakdown)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); keys typed: ${r.keys}`,
  );
  console.log(`polygons: ${polygons}; IoU against the labels: mean ${r.meanIoU.toFixed(3)}, min ${r.minIoU.toFixed(3)}`);
  console.log(`balanced accuracy, eval with the app's layout: ${fmt(r.balancedAccuracy)}; with the labelled polygons: ${fmt(r.balancedAccuracyLabelled)}`);
  console.log(`  (${r.evalNote})`);
}
