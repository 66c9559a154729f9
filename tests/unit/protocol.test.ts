import { describe, expect, it } from 'vitest';
import {
  isIsoDateTime,
  LIMITS,
  parseErrorBody,
  parseJson,
  parseLayout,
  parseTabMessage,
  parseLotCreated,
  parseLotId,
  parseLotMetadata,
  parseOriginalMetadata,
  parsePublishedState,
  parsePublisherMessage,
  parseRelayToPublisherMessage,
  parseRichMetadata,
  parseViewerMessage,
  publisherHeader,
  toLotMetadata,
  toOriginalMetadata,
  toUpdateEvent,
  type LayoutSlot,
  type PublishedState,
} from '../../src/share/protocol.ts';
import { toMetadata } from '../../src/share/metadata.ts';

const slot = (id: string, occupied: boolean) => ({
  id,
  name: id.toUpperCase(),
  occupied,
  probability: occupied ? 0.9 : 0.1,
  since: '2025-08-07T14:00:00.000Z',
});
const square = (id: string): LayoutSlot => ({ id, name: id, polygon: [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]] });

const base = { total_slots: 2, occupied_slots: 1, available_slots: 1, last_updated: '2025-08-07T14:20:30' };
const full: PublishedState = {
  ...base,
  slots: [slot('a', true), slot('b', false)],
  layout: { slots: [square('a'), square('b')] },
};

describe('parseLotId', () => {
  it.each([
    ['default', true],
    ['north-gate_2', true],
    ['a'.repeat(64), true],
    ['', false],
    ['a'.repeat(65), false],
    ['North', false],
    ['../etc', false],
    ['a b', false],
    ['a/b', false],
    ['lot%20x', false],
    [42, false],
    [null, false],
  ])('%j → ok=%s', (input, ok) => {
    expect(parseLotId(input).ok).toBe(ok);
  });
});

describe('isIsoDateTime', () => {
  it.each([
    ['2025-08-07T14:20:30', true], // Python isoformat(), as in the original README
    ['2025-08-07T14:20:30.123456', true],
    ['2025-08-07T14:20:30.123Z', true],
    ['2025-08-07T14:20:30+02:00', true],
    ['2025-08-07T14:20', true],
    ['2025-08-07', false],
    ['2025-13-07T14:20:30', false],
    ['2025-08-07T24:00:00', false],
    ['yesterday', false],
    ['', false],
    [1754576430000, false],
  ])('%j → %s', (input, ok) => {
    expect(isIsoDateTime(input)).toBe(ok);
  });
});

describe('parsePublishedState', () => {
  it('accepts the four original keys alone, with empty slot detail', () => {
    expect(parsePublishedState(base)).toEqual({ ok: true, value: { ...base, slots: [] } });
  });

  it('accepts slots and layout and keeps them', () => {
    const r = parsePublishedState(full);
    expect(r).toEqual({ ok: true, value: full });
  });

  it("accepts the app's own metadata export (toMetadata)", () => {
    const m = toMetadata(
      {
        slots: [
          { id: 's1', occupied: true, since: 1000, probability: 0.87654, pending: null },
          { id: 's2', occupied: false, since: 1000, probability: 0.1, pending: null },
        ],
        counts: { total: 2, occupied: 1, available: 1 },
        lastChanged: 5000,
        observedAt: 6000,
      },
      [
        { id: 's1', name: 'One', polygon: [] },
        { id: 's2', name: 'Two', polygon: [] },
      ],
    );
    expect(parsePublishedState(m)).toEqual({ ok: true, value: m });
  });

  it('drops unknown keys instead of passing them on', () => {
    const r = parsePublishedState({ ...base, extra: 'x', __proto__: { polluted: true } });
    expect(r.ok && Object.keys(r.value).sort()).toEqual(['available_slots', 'last_updated', 'occupied_slots', 'slots', 'total_slots']);
  });

  it.each([
    ['not an object', 'x', 'message: expected an object'],
    ['an array', [base], 'message: expected an object'],
    ['a string count', { ...base, total_slots: '2' }, 'total_slots: expected an integer'],
    ['a fractional count', { ...base, occupied_slots: 0.5, available_slots: 1.5 }, 'occupied_slots: expected an integer'],
    ['a negative count', { ...base, occupied_slots: -1, available_slots: 3 }, 'occupied_slots: expected an integer'],
    ['a huge count', { ...base, total_slots: LIMITS.maxCount + 1 }, 'total_slots: expected an integer'],
    ['counts that do not add up', { ...base, available_slots: 5 }, 'occupied_slots + available_slots = total_slots'],
    ['a missing key', { total_slots: 2, occupied_slots: 1, available_slots: 1 }, 'last_updated: expected an ISO-8601'],
    ['a bad time', { ...base, last_updated: 'now' }, 'last_updated: expected an ISO-8601'],
    ['slots not an array', { ...base, slots: {} }, 'slots: expected an array'],
    ['too few slot entries', { ...base, slots: [slot('a', true)] }, 'slots: expected one entry per slot (2) besides closed and unknown ones, got 1'],
    ['slot entries disagreeing with the count', { ...base, slots: [slot('a', true), slot('b', true)] }, 'slots: expected 1 occupied'],
    ['a duplicate slot id', { ...base, slots: [slot('a', true), slot('a', false)] }, 'slots[1].id: expected an id not used before'],
    ['a slot probability above 1', { ...base, slots: [{ ...slot('a', true), probability: 1.5 }, slot('b', false)] }, 'slots[0].probability'],
    ['a slot occupied as a string', { ...base, slots: [{ ...slot('a', true), occupied: 'yes' }, slot('b', false)] }, 'slots[0].occupied: expected a boolean'],
    ['a layout point outside 0..1', { ...base, layout: { slots: [{ ...square('a'), polygon: [[0, 0], [2, 0], [0, 1]] }] } }, 'layout.slots[0].polygon[1][0]: expected a number from 0 to 1'],
    ['a layout polygon of 2 points', { ...base, layout: { slots: [{ ...square('a'), polygon: [[0, 0], [1, 1]] }] } }, 'layout.slots[0].polygon: expected at least 3 points'],
    ['a layout point that is not a pair', { ...base, layout: { slots: [{ ...square('a'), polygon: [[0, 0], [1], [1, 1]] }] } }, 'layout.slots[0].polygon[1]: expected an [x, y] pair'],
    ['NaN in a layout', { ...base, layout: { slots: [{ ...square('a'), polygon: [[0, 0], [Number.NaN, 0], [1, 1]] }] } }, 'layout.slots[0].polygon[1][0]'],
    ['too many slots', { ...base, slots: Array.from({ length: LIMITS.maxSlots + 1 }, (_, i) => slot(`s${i}`, false)) }, 'slots: expected at most 1000 entries'],
    ['an id too long', { ...base, layout: { slots: [{ ...square('a'.repeat(98)) }] } }, 'layout.slots[0].id: expected a string of 1 to 97'],
  ])('refuses %s, naming the field', (_what, input, error) => {
    const r = parsePublishedState(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });

  it('never throws, whatever it is given', () => {
    const cyclic: Record<string, unknown> = { ...base };
    cyclic.slots = [cyclic];
    const hostile = [undefined, null, 0, true, Symbol('x'), () => 1, new Proxy({}, { get: () => { throw new Error('boom'); } }), cyclic];
    for (const v of hostile) expect(parsePublishedState(v).ok).toBe(false);
  });
});

describe('parseLotMetadata', () => {
  it('requires slots (stored and relayed metadata always has them)', () => {
    expect(parseLotMetadata(base).ok).toBe(false);
    expect(parseLotMetadata({ ...base, slots: [] }).ok).toBe(true);
  });
});

describe('parseLayout', () => {
  it('accepts an empty layout and a normal one, refuses duplicate ids', () => {
    expect(parseLayout({ slots: [] }).ok).toBe(true);
    expect(parseLayout(full.layout).ok).toBe(true);
    expect(parseLayout({ slots: [square('a'), square('a')] }).ok).toBe(false);
  });
  it.each([
    ['keeps a frame size', { width: 1280, height: 720 }, true],
    ['refuses a zero width', { width: 0, height: 720 }, false],
    ['refuses a fractional height', { width: 640, height: 360.5 }, false],
    ['refuses a string', { width: '640', height: 360 }, false],
  ])('%s', (_n, frame, ok) => {
    const r = parseLayout({ slots: [square('a')], frame });
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.value.frame).toEqual(frame);
  });
});

describe('parseTabMessage', () => {
  it.each([
    [{ type: 'hello' }, true],
    [{ type: 'stopped', at: '2025-08-07T14:20:30.000Z' }, true],
    [{ type: 'state', state: full, counting: true }, true],
    [{ type: 'state', state: full }, false],
    [{ type: 'state', state: { ...full, occupied_slots: 5 }, counting: true }, false],
    [{ type: 'stopped', at: 'yesterday' }, false],
    [{ type: 'shout' }, false],
    ['hello', false],
  ])('%j → ok %s', (m, ok) => {
    expect(parseTabMessage(m).ok).toBe(ok);
  });
});

describe('toOriginalMetadata and toUpdateEvent', () => {
  it('keep exactly the original shapes', () => {
    const original = toOriginalMetadata(full);
    expect(Object.keys(original)).toEqual(['total_slots', 'occupied_slots', 'available_slots', 'last_updated']);
    expect(original).toEqual(base);
    expect(toUpdateEvent(full)).toStrictEqual({
      event: 'update',
      data: { occupied: 1, available: 1, total: 2, last_updated: '2025-08-07T14:20:30' },
    });
    expect(JSON.stringify(toUpdateEvent(full))).toBe(
      '{"event":"update","data":{"occupied":1,"available":1,"total":2,"last_updated":"2025-08-07T14:20:30"}}',
    );
  });

  it('toLotMetadata drops the layout and copies the slots', () => {
    const m = toLotMetadata(full);
    expect(m).not.toHaveProperty('layout');
    expect(m.slots).toEqual(full.slots);
    expect(m.slots[0]).not.toBe(full.slots[0]);
  });

  it('parseOriginalMetadata accepts what toOriginalMetadata writes', () => {
    expect(parseOriginalMetadata(toOriginalMetadata(full))).toEqual({ ok: true, value: base });
  });
});

describe('parsePublisherMessage', () => {
  it.each([
    [{ type: 'auth', token: 'secret' }, { type: 'auth', token: 'secret' }],
    [{ type: 'state', state: base }, { type: 'state', state: { ...base, slots: [] } }],
    [{ type: 'state', seq: 7, state: base }, { type: 'state', seq: 7, state: { ...base, slots: [] } }],
  ])('accepts %j', (input, value) => {
    expect(parsePublisherMessage(input)).toEqual({ ok: true, value });
  });

  it.each([
    [{ type: 'auth' }, 'token: expected a string'],
    [{ type: 'auth', token: '' }, 'token: expected a string'],
    [{ type: 'auth', token: 'x'.repeat(LIMITS.maxTokenLength + 1) }, 'token'],
    [{ type: 'state' }, 'state: expected an object'],
    [{ type: 'state', state: { ...base, total_slots: 'many' } }, 'state.total_slots'],
    [{ type: 'state', seq: -1, state: base }, 'seq: expected a non-negative integer'],
    [{ type: 'hello' }, 'type: expected "auth" or "state"'],
    [[], 'message: expected an object'],
  ])('refuses %j', (input, error) => {
    const r = parsePublisherMessage(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});

describe('relay → client messages', () => {
  const presence = { online: false, since: '2025-08-07T14:00:00.000Z' };
  const metadata = { ...base, slots: [] };

  it.each([
    { type: 'snapshot', lot: 'default', state: null, layout: null, received_at: null, publisher: { online: false, since: null } },
    { type: 'snapshot', lot: 'default', state: metadata, layout: full.layout, received_at: '2025-08-07T14:20:31.000Z', publisher: presence },
    { type: 'state', lot: 'default', state: metadata, received_at: '2025-08-07T14:20:31.000Z' },
    { type: 'state', lot: 'default', state: metadata, layout: full.layout, received_at: '2025-08-07T14:20:31.000Z' },
    { type: 'presence', lot: 'default', publisher: presence },
    { type: 'error', code: 'read_only', message: 'viewers are read-only' },
  ])('viewer message round-trips: %j', (m) => {
    expect(parseViewerMessage(JSON.parse(JSON.stringify(m)))).toEqual({ ok: true, value: m });
  });

  it.each([
    { type: 'snapshot', lot: 'default', state: base, layout: null, received_at: null, publisher: presence }, // slots missing
    { type: 'state', lot: 'Bad Lot', state: metadata, received_at: '2025-08-07T14:20:31Z' },
    { type: 'presence', lot: 'default', publisher: { online: 'yes', since: null } },
    { type: 'error', code: 'no_such_code', message: 'x' },
    { type: 'update' },
  ])('viewer message refused: %j', (m) => {
    expect(parseViewerMessage(m).ok).toBe(false);
  });

  it.each([
    [{ type: 'ready', lot: 'north' }, true],
    [{ type: 'ack', seq: 3, revision: 9 }, true],
    [{ type: 'ack', seq: null, revision: 9 }, true],
    [{ type: 'error', code: 'invalid_state', message: 'x', seq: 3 }, true],
    [{ type: 'ack', seq: 3 }, false],
    [{ type: 'ready' }, false],
  ])('publisher reply %j → ok=%s', (m, ok) => {
    expect(parseRelayToPublisherMessage(m).ok).toBe(ok);
  });

  it('parses the rich metadata and the lot-created answer', () => {
    const rich = { ...metadata, lot: 'north', layout: null, received_at: '2025-08-07T14:20:31.000Z', publisher: presence };
    expect(parseRichMetadata(rich)).toEqual({ ok: true, value: rich });
    const created = {
      lot: 'north',
      token: 'x'.repeat(43),
      viewer_path: '/v/north',
      metadata_path: '/lots/north/metadata',
      state_path: '/lots/north/state',
      publish_path: '/lots/north/publish',
      live_path: '/lots/north/live',
    };
    expect(parseLotCreated(created)).toEqual({ ok: true, value: created });
    expect(parseLotCreated({ ...created, token: 'short' }).ok).toBe(false);
    expect(parseErrorBody({ error: 'unauthorized', message: 'no' })).toEqual({ ok: true, value: { error: 'unauthorized', message: 'no' } });
    expect(parseErrorBody({ error: 'nope', message: 'no' }).ok).toBe(false);
  });
});

describe('the counter status sent with each state', () => {
  const status = { state: 'paused', reason: 'page-hidden', since: '2025-08-07T14:21:00.000Z' } as const;

  it('is kept by the parsers and by toLotMetadata, and stays out of the original shapes', () => {
    const parsed = parsePublishedState({ ...full, status });
    expect(parsed.ok && parsed.value.status).toEqual(status);
    const stored = toLotMetadata({ ...full, status });
    expect(stored.status).toEqual(status);
    expect(parseLotMetadata(stored)).toEqual({ ok: true, value: stored });
    expect(Object.keys(toOriginalMetadata(stored)).sort()).toEqual(['available_slots', 'last_updated', 'occupied_slots', 'total_slots']);
    expect(toUpdateEvent(stored).data).not.toHaveProperty('status');
    // Older publishers do not say: no status at all, not a made-up one.
    expect(toLotMetadata(full)).not.toHaveProperty('status');
  });

  it('refuses unknown states and odd reasons, accepts reasons it does not know yet', () => {
    expect(parsePublishedState({ ...full, status: { ...status, state: 'dancing' } })).toMatchObject({ ok: false, error: expect.stringContaining('status.state') });
    expect(parsePublishedState({ ...full, status: { ...status, reason: 'A B' } })).toMatchObject({ ok: false, error: expect.stringContaining('status.reason') });
    expect(parsePublishedState({ ...full, status: { ...status, since: 'yesterday' } }).ok).toBe(false);
    expect(parsePublishedState({ ...full, status: { ...status, reason: 'camera-moved' } }).ok).toBe(true);
    expect(parsePublishedState({ ...full, status: { state: 'stopped', reason: null, since: status.since } }).ok).toBe(true);
  });

  it('rides in the presence and in the X-Lotwatch-Publisher header', () => {
    const rich = parseRichMetadata({ ...toLotMetadata(full), lot: 'x', layout: null, received_at: status.since, publisher: { online: true, since: null, status } });
    expect(rich.ok && rich.value.publisher.status).toEqual(status);
    expect(publisherHeader({ online: true, since: null, status })).toBe('online; status=paused; reason=page-hidden');
    expect(publisherHeader({ online: true, since: null, status: { state: 'stopped', reason: null, since: status.since } })).toBe('online; status=stopped');
    expect(publisherHeader({ online: true, since: null })).toBe('online');
    expect(publisherHeader({ online: false, since: status.since, status })).toBe(`offline; since=${status.since}`);
    expect(publisherHeader({ online: false, since: null })).toBe('offline; since=never');
  });
});

describe('parseJson', () => {
  it('reports instead of throwing', () => {
    expect(parseJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    const bad = parseJson('{"a":');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^not valid JSON/);
  });
});

describe('zones, kinds, closed slots and cameras', () => {
  const zoned = {
    ...base,
    slots: [
      { ...slot('a', true), zone: 'Level 1', kind: 'disabled' },
      { ...slot('b', false), zone: 'Level 1' },
      { ...slot('c', false), zone: 'Level 2', closed: { reason: 'works', until: '2025-08-08T00:00:00Z' } },
      { ...slot('d', true), camera: 'north', unknown: true },
    ],
    zones: { 'Level 1': { total: 2, occupied: 1, available: 1 }, 'Level 2': { total: 0, occupied: 0, available: 0 } },
    kinds: { disabled: { total: 1, occupied: 1, available: 0 }, standard: { total: 1, occupied: 0, available: 1 } },
    closed_slots: 1,
    unknown_slots: 1,
    partial: true,
    cameras: { north: { online: false, since: '2025-08-07T14:00:00Z', total: 1, occupied: 1, available: 0 } },
    layout: {
      slots: [{ ...square('a'), zone: 'Level 1', kind: 'ev', camera: 'north', closed: { reason: '', until: null } }],
      cameras: { north: { frame: { width: 640, height: 480 } } },
    },
  };

  it('keeps them, and counts neither closed nor unknown slots in the totals', () => {
    expect(parsePublishedState(zoned)).toEqual({ ok: true, value: zoned });
    const m = toLotMetadata(parsePublishedState(zoned).ok ? (zoned as PublishedState) : full);
    expect(m.zones).toEqual(zoned.zones);
    expect(m.cameras).toEqual(zoned.cameras);
  });

  it.each([
    ['an unknown kind', { slots: [{ ...zoned.slots[0], kind: 'vip' }, ...zoned.slots.slice(1)] }, 'slots[0].kind: expected one of standard, ev'],
    ['a zone with a control character', { slots: [{ ...zoned.slots[0], zone: 'L\u00071' }, ...zoned.slots.slice(1)] }, 'slots[0].zone: expected text without control'],
    ['zone counts that disagree with the slots', { zones: { 'Level 1': { total: 2, occupied: 2, available: 0 } } }, 'zones["Level 1"]: expected the counts of the slots in that zone'],
    ['kind counts that do not add up', { kinds: { ev: { total: 2, occupied: 0, available: 1 } } }, 'kinds["ev"].available: expected occupied + available = total'],
    ['unknown: false', { slots: [...zoned.slots.slice(0, 3), { ...zoned.slots[3], unknown: false }] }, 'slots[3].unknown: expected true when present'],
    ['a bad camera id', { cameras: { 'North Gate': zoned.cameras.north } }, 'cameras: expected a camera id'],
    ['a closure without a reason', { slots: [...zoned.slots.slice(0, 2), { ...zoned.slots[2], closed: { until: null } }, zoned.slots[3]] }, 'slots[2].closed.reason'],
  ])('refuses %s', (_what, change, error) => {
    const r = parsePublishedState({ ...zoned, ...change });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});
