// Touch input for a phone-sized page, through Chromium's own touch events (CDP Input.dispatchTouchEvent): the app
// sees real pointer events of type "touch", one or two fingers. Every gesture counts as one action in `actions`.
import type { CDPSession, Locator, Page } from '@playwright/test';

export type Px = readonly [number, number];

export class Touch {
  /** Pointer actions so far: a tap, a drag, a pinch, each one. */
  actions = 0;
  private nextId = 1;

  private constructor(
    readonly page: Page,
    private readonly cdp: CDPSession,
  ) {}

  static async on(page: Page): Promise<Touch> {
    return new Touch(page, await page.context().newCDPSession(page));
  }

  private send(type: 'touchStart' | 'touchMove' | 'touchEnd', points: Px[], ids: number[]): Promise<unknown> {
    return this.cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: points.map(([x, y], i) => ({ x, y, id: ids[i]!, radiusX: 4, radiusY: 4, force: 1 })),
    });
  }

  /** A finger down at `from`, sliding to `to` in `steps`, held there for `holdMs` (to look at the loupe), then up. */
  async drag(from: Px, to: Px, steps = 6, onHold?: () => Promise<void>): Promise<void> {
    this.actions++;
    const id = this.nextId++;
    await this.send('touchStart', [from], [id]);
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      await this.send('touchMove', [[from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t]], [id]);
    }
    if (onHold) await onHold();
    else await this.rest(to, id);
    await this.send('touchEnd', [], []);
  }

  /**
   * The finger stops before it lifts, as a person's does at the end of a slot. Lifted at full speed, the synthetic
   * slide ends as a fling, and Chromium then takes a tap in the next few hundred ms (one on a tool button, say) for
   * the tap that stops a fling: pointerdown and pointerup, but no click.
   */
  private async rest(at: Px, id: number): Promise<void> {
    await this.page.waitForTimeout(100);
    await this.send('touchMove', [at], [id]);
  }

  /** A finger drawn along a path (a lasso), then lifted. */
  async trace(path: readonly Px[]): Promise<void> {
    this.actions++;
    const id = this.nextId++;
    await this.send('touchStart', [path[0]!], [id]);
    for (const p of path.slice(1)) await this.send('touchMove', [p], [id]);
    await this.send('touchEnd', [], []);
  }

  /** A short tap (the finger does not slide). */
  async tap(at: Px): Promise<void> {
    this.actions++;
    const id = this.nextId++;
    await this.send('touchStart', [at], [id]);
    await this.send('touchEnd', [], []);
  }

  /** Two fingers: their midpoint goes from `from` to `to` while their spread goes from `spread0` to `spread1` px. */
  async pinch(from: Px, spread0: number, to: Px, spread1: number, steps = 8): Promise<void> {
    this.actions++;
    const ids = [this.nextId++, this.nextId++];
    const fingers = (c: Px, d: number): Px[] => [
      [c[0] - d / 2, c[1]],
      [c[0] + d / 2, c[1]],
    ];
    await this.send('touchStart', fingers(from, spread0), ids);
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      const c: Px = [from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t];
      await this.send('touchMove', fingers(c, spread0 + (spread1 - spread0) * t), ids);
    }
    await this.send('touchEnd', [], []);
  }

  /** Taps a control (a button, a field) like a finger would. */
  async tapOn(target: Locator): Promise<void> {
    await target.scrollIntoViewIfNeeded();
    const box = await target.boundingBox();
    if (!box) throw new Error('tap target not visible');
    await this.tap([box.x + box.width / 2, box.y + box.height / 2]);
  }
}

/** What the overlay shows: the part of the frame in view (its SVG viewBox, in frame pixels) and where it is on screen. */
export async function stageGeometry(page: Page) {
  await page.locator('lw-slot-overlay').scrollIntoViewIfNeeded();
  const svg = page.locator('lw-slot-overlay svg');
  const box = await page.locator('lw-slot-overlay').boundingBox();
  if (!box) throw new Error('overlay not visible');
  const [vx, vy, vw, vh] = (await svg.getAttribute('viewBox'))!.split(' ').map(Number) as [number, number, number, number];
  return {
    box,
    view: { x: vx, y: vy, w: vw, h: vh },
    /** Frame pixels → page pixels. */
    toPage: ([x, y]: Px): Px => [box.x + ((x - vx) / vw) * box.width, box.y + ((y - vy) / vh) * box.height],
    /** Page pixels → frame pixels. */
    toFrame: ([x, y]: Px): Px => [vx + ((x - box.x) / box.width) * vw, vy + ((y - box.y) / box.height) * vh],
    /** Page pixels per frame pixel at this zoom. */
    scale: box.width / vw,
  };
}

/** The slots on the overlay: id, name and polygon in frame pixels. */
export async function overlaySlots(page: Page): Promise<{ id: string; name: string; polygon: [number, number][] }[]> {
  return page.locator('lw-slot-overlay g.slot').evaluateAll((gs) =>
    gs.map((g) => ({
      id: g.getAttribute('data-id')!,
      name: (g.getAttribute('aria-label') ?? '').replace(/^Slot (.*): \w+(, unsure)?$/, '$1'),
      polygon: g
        .querySelector('polygon')!
        .getAttribute('points')!
        .split(' ')
        .map((p) => p.split(',').map(Number) as [number, number]),
    })),
  );
}

/** The open row's dividers: where each is on the page (its midpoint), by row and index. */
export async function dividers(page: Page): Promise<{ kind: string; row: number; index: number; mid: Px; pinned: boolean }[]> {
  return page.locator('lw-slot-overlay line.divider').evaluateAll((ls) =>
    ls.map((l) => {
      const svg = (l as SVGLineElement).ownerSVGElement!;
      const m = svg.getScreenCTM()!;
      const x = (Number(l.getAttribute('x1')) + Number(l.getAttribute('x2'))) / 2;
      const y = (Number(l.getAttribute('y1')) + Number(l.getAttribute('y2'))) / 2;
      return {
        kind: l.getAttribute('data-kind')!,
        row: Number(l.getAttribute('data-row')),
        index: Number(l.getAttribute('data-index')),
        mid: [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f] as [number, number],
        pinned: l.classList.contains('pinned'),
      };
    }),
  );
}

/** A point of `target`'s box given in coordinates normalised to it, in page pixels. */
async function pointIn(target: Locator, [x, y]: readonly [number, number]): Promise<Px> {
  // A finger reaches only what is on screen (touch events off the viewport are dropped).
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error('target not visible');
  return [box.x + x * box.width, box.y + y * box.height];
}

/** Drags one finger from a to b (coordinates normalised to the target's box). */
export async function touchDrag(page: Page, target: Locator, a: readonly [number, number], b: readonly [number, number], steps = 6): Promise<void> {
  await (await Touch.on(page)).drag(await pointIn(target, a), await pointIn(target, b), steps);
}

/** Taps with a finger at a point normalised to the target's box. */
export async function touchTap(page: Page, target: Locator, p: readonly [number, number]): Promise<void> {
  await (await Touch.on(page)).tap(await pointIn(target, p));
}
