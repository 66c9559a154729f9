import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { layoutKey, type SceneReference } from '../../src/motion/scene.ts';
import type { Slot } from '../../src/occupancy/types.ts';
import {
  aspectMismatch,
  detectFormat,
  parseLayoutFile,
  toLabelledFrame,
  toLotwatchLayout,
  toUltralytics,
  type ImportedLayout,
} from '../../src/layout/layout-format.ts';
import { fixture, fixturesAvailable } from '../support/fixtures.ts';

const slots: Slot[] = [
  { id: '1', name: 'A-1', polygon: [[0.1, 0.2], [0.3, 0.2], [0.3, 0.4], [0.1, 0.4]] },
  { id: '2', name: '2', polygon: [[0.5, 0.5], [0.75, 0.5], [0.7, 0.9], [0.45, 0.9]] },
];
const frame = { width: 1280, height: 720 };

const ok = (text: string, name = 'f.json', size?: { width: number; height: number }): ImportedLayout => {
  const r = parseLayoutFile(text, name, size);
  if (!r.ok) throw new Error(r.error);
  return r.layout;
};

describe('round trips', () => {
  it('lotwatch layout: exactly {slots: [{id, name, polygon}], frame: {width, height}}, normalised', () => {
    const file = toLotwatchLayout(slots, frame);
    expect(Object.keys(file)).toEqual(['slots', 'frame']);
    expect(Object.keys(file.slots[0]!)).toEqual(['id', 'name', 'polygon']);
    expect(file.frame).toEqual({ width: 1280, height: 720 });
    const back = ok(JSON.stringify(file));
    expect(back.format).toBe('lotwatch');
    expect(back.slots).toEqual(slots);
    expect(back.frame).toEqual(frame);
  });

  it('lotwatch layout: zones, kinds and closures go out and come back; a standard, open slot in no zone writes none of them', () => {
    const operated: Slot[] = [
      { ...slots[0]!, zone: 'Level 1', kind: 'disabled' },
      { ...slots[1]!, zone: 'Level 1', closed: { reason: 'works', until: Date.UTC(2026, 0, 2, 8) } },
      { id: '3', name: '3', polygon: slots[0]!.polygon, closed: { reason: 'event', until: null }, kind: 'ev' },
    ];
    const file = toLotwatchLayout([...operated, slots[0]!].map((s, i) => ({ ...s, id: String(i + 1) })), frame);
    expect(file.slots[1]!.closed).toEqual({ reason: 'works', until: '2026-01-02T08:00:00.000Z' });
    expect(Object.keys(file.slots[3]!)).toEqual(['id', 'name', 'polygon']);
    expect(ok(JSON.stringify(file)).slots.slice(0, 3)).toEqual(operated.map((s, i) => ({ ...s, id: String(i + 1) })));
  });

  it.each([
    [{ kind: 'vip' }, '"kind" must be one of standard, ev, disabled, reserved, motorcycle, other'],
    [{ zone: 12 }, '"zone" must be text'],
    [{ closed: { reason: 'x', until: 'soon' } }, 'the closure\'s "until" must be an ISO-8601 time'],
  ])('lotwatch layout: refuses a slot with %j', (extra, error) => {
    const file = toLotwatchLayout(slots, frame);
    const r = parseLayoutFile(JSON.stringify({ ...file, slots: [{ ...file.slots[0], ...extra }] }), 'f.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });

  it('lotwatch layout with the scene the slots were marked on: it comes back tied to the imported slots', () => {
    const scene: SceneReference = { width: 240, height: 135, data: Uint8Array.from({ length: 240 * 135 }, (_, i) => i % 253), takenAt: Date.UTC(2026, 5, 1), layout: layoutKey(slots) };
    const file = toLotwatchLayout(slots, frame, scene);
    expect(Object.keys(file)).toEqual(['slots', 'frame', 'scene']);
    const back = ok(JSON.stringify(file));
    expect(back.scene).toEqual(scene);
    // A scene taken before the last edit is not the layout's: it stays out of the file.
    expect(toLotwatchLayout(slots.slice(1), frame, scene).scene).toBeUndefined();
    // A broken scene is a broken file; one of another version's size is left out (the next frame is taken instead).
    const broken = parseLayoutFile(JSON.stringify({ ...file, scene: { ...file.scene, grey: '***' } }), 'f.json');
    expect(broken.ok ? '' : broken.error).toContain('scene.grey is not base64');
    expect(ok(JSON.stringify({ ...file, scene: { width: 160, height: 90, grey: btoa('x'.repeat(160 * 90)) } })).scene).toBeUndefined();
  });

  it('labelled frame: pixels of the frame, occupied null', () => {
    const file = toLabelledFrame(slots, frame, 'images/lot.jpg');
    expect(file.slots[0]).toEqual({ id: '1', polygon: [[128, 144], [384, 144], [384, 288], [128, 288]], occupied: null });
    expect([file.image, file.width, file.height]).toEqual(['images/lot.jpg', 1280, 720]);
    const back = ok(JSON.stringify(file));
    expect(back.format).toBe('labelled-frame');
    back.slots.forEach((s, i) => s.polygon.forEach((p, k) => expect(p[0]).toBeCloseTo(slots[i]!.polygon[k]![0], 9)));
    // The labelled frame has no names: the id is the name.
    expect(back.slots.map((s) => s.name)).toEqual(['1', '2']);
  });

  it('Ultralytics bounding_boxes.json: whole pixels of the picture it was made on', () => {
    const file = toUltralytics(slots, frame);
    expect(file[1]).toEqual({ points: [[640, 360], [960, 360], [896, 648], [576, 648]] });
    const back = ok(JSON.stringify(file), 'bounding_boxes.json', frame);
    expect(back.format).toBe('ultralytics');
    expect(back.slots.map((s) => s.id)).toEqual(['1', '2']);
    expect(back.slots[0]!.polygon).toEqual(slots[0]!.polygon);
  });

  it('scales to the current frame: the same slots from a 4000x3000 file are normalised by its own size', () => {
    const big = toLabelledFrame(slots, { width: 4000, height: 3000 }, 'images/x.jpg');
    const back = ok(JSON.stringify(big));
    expect(back.frame).toEqual({ width: 4000, height: 3000 });
    expect(back.slots[0]!.polygon[1]![0]).toBeCloseTo(0.3, 12);
    expect(aspectMismatch(back.frame, frame)).toBeCloseTo(16 / 9 / (4 / 3) - 1, 12);
  });
});

describe.skipIf(!fixturesAvailable())('the labelled fixture frames', () => {
  const lots = ['pucpr', 'acpds', 'carpark'];
  it.each(lots)('%s: every frame imports, and exports back to the same ids and polygons', (lot) => {
    for (const f of readdirSync(fixture('lots', lot, 'labels'))) {
      const text = readFileSync(fixture('lots', lot, 'labels', f), 'utf8');
      const original = JSON.parse(text) as { width: number; height: number; image: string; slots: { id: string; polygon: number[][] }[] };
      const layout = ok(text, f);
      expect(layout.slots).toHaveLength(original.slots.length);
      const back = toLabelledFrame(layout.slots, layout.frame, original.image);
      expect(back.slots.map((s) => s.id)).toEqual(original.slots.map((s) => s.id));
      back.slots.forEach((s, i) => expect(s.polygon).toEqual(original.slots[i]!.polygon));
    }
  });
});

describe('bad files change nothing and say why', () => {
  const labelled = (over: Record<string, unknown> = {}, slot: Record<string, unknown> = {}) =>
    JSON.stringify({
      image: 'images/a.jpg',
      width: 1280,
      height: 720,
      slots: [{ id: '1', polygon: [[10, 10], [50, 10], [50, 60], [10, 60]], occupied: true, ...slot }],
      ...over,
    });
  it.each([
    ['not JSON', '{"slots": [', 'is not a JSON file'],
    ['JSON of another kind', '{"cars": 3}', 'is not a layout this app knows'],
    ['no slots', labelled({ slots: [] }), 'has no slots'],
    ['slots not a list', labelled({ slots: {} }), '"slots" must be a list'],
    ['a missing height', labelled({ height: undefined }), '"height" must be a number of pixels'],
    ['a negative width', labelled({ width: -5 }), '"width" must be a number of pixels'],
    ['a slot without an id', labelled({}, { id: undefined }), 'slot #1 has no "id"'],
    ['a slot without a polygon', labelled({}, { polygon: undefined }), 'slot 1 has no polygon'],
    ['two corners only', labelled({}, { polygon: [[1, 1], [2, 2]] }), 'slot 1 has 2 corners'],
    ['a corner that is not two numbers', labelled({}, { polygon: [[1, 1], [2, 'x'], [3, 3], [1, 4]] }), 'corner 2: expected [x, y] numbers'],
    ['a corner outside the picture', labelled({}, { polygon: [[10, 10], [1300, 10], [50, 60], [10, 60]] }), 'corner 2 (1300, 10) is outside the 1280x720 picture'],
    ['a bow-tie', labelled({}, { polygon: [[10, 10], [50, 60], [50, 10], [10, 60]] }), 'slot 1: its outline crosses itself'],
    ['corners on one line', labelled({}, { polygon: [[10, 10], [20, 10], [30, 10]] }), 'slot 1 has no area'],
    ['occupied that is not a boolean', labelled({}, { occupied: 'yes' }), '"occupied" must be true, false or null'],
    [
      'a repeated id',
      JSON.stringify({ width: 10, height: 10, slots: [1, 1].map((id) => ({ id, polygon: [[1, 1], [2, 1], [2, 2]] })) }),
      'slot 1 appears twice',
    ],
    ['lotwatch: a corner beyond 0..1', JSON.stringify({ slots: [{ id: 'a', name: 'a', polygon: [[0, 0], [1.5, 0], [1, 1]] }], frame }), 'is outside the frame (0..1)'],
    ['lotwatch: no frame size', JSON.stringify({ slots: [{ id: 'a', name: 'a', polygon: [[0, 0], [1, 0], [1, 1]] }], frame: null }), 'frame must say'],
    ['lotwatch: an empty name', JSON.stringify({ slots: [{ id: 'a', name: ' ', polygon: [[0, 0], [1, 0], [1, 1]] }], frame }), '"name" must be some text'],
    ['Ultralytics: a box of text', JSON.stringify([{ points: 'here' }]), 'slot #1 has no polygon'],
  ])('%s', (_name, text, reason) => {
    const r = parseLayoutFile(text, 'lot.json', frame);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain('lot.json');
      expect(r.error).toContain(reason);
    }
  });

  it('an Ultralytics file needs the size of its picture', () => {
    const r = parseLayoutFile(JSON.stringify([{ points: [[1, 1], [5, 1], [5, 5], [1, 5]] }]), 'bounding_boxes.json');
    expect(r).toEqual({ ok: false, error: expect.stringContaining('say the size of the picture') });
  });

  it('a corner overshooting the picture by a pixel (hand labelling) is kept, at the edge', () => {
    const r = ok(labelled({}, { polygon: [[-1, 10], [50, 10], [50, 721], [10, 60]] }));
    expect(r.slots[0]!.polygon[0]).toEqual([0, 10 / 720]);
    expect(r.slots[0]!.polygon[2]![1]).toBe(1);
  });

  it.each([
    [[{ points: [] }], 'ultralytics'],
    [{ slots: [], frame: {} }, 'lotwatch'],
    [{ slots: [], width: 1 }, 'labelled-frame'],
    [[1, 2], null],
    [{ slots: [] }, null],
    ['text', null],
  ])('detects %j as %s', (data, format) => {
    expect(detectFormat(data)).toBe(format);
  });
});
