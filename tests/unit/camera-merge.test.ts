// Merging the cameras of one lot: namespaced slots, overlaps counted once, offline cameras unknown, never free.
import { describe, expect, it } from 'vitest';
import { mergeCameras, type CameraInput } from '../../relay/src/camera-merge.ts';
import type { LotMetadata, SlotMetadata } from '../../src/share/metadata.ts';
import { breakdown } from '../../src/share/metadata.ts';
import { parseLotMetadata } from '../../src/share/protocol.ts';

const T = Date.parse('2026-05-04T08:00:00Z');
const slot = (id: string, occupied: boolean, extra: Partial<SlotMetadata> = {}): SlotMetadata => ({
  id, name: id.toUpperCase(), occupied, probability: occupied ? 0.9 : 0.1, since: new Date(T).toISOString(), ...extra,
});
function cam(camera: string, online: boolean, slots: SlotMetadata[], at = T): CameraInput {
  const b = breakdown(slots);
  const metadata: LotMetadata = {
    total_slots: b.counts.total, occupied_slots: b.counts.occupied, available_slots: b.counts.available,
    last_updated: new Date(at).toISOString(), slots, zones: b.zones, kinds: b.kinds,
  };
  const square: [number, number][] = [[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1]];
  return { camera, online, since: at - 1000, metadata, layout: { slots: slots.map((s) => ({ id: s.id, name: s.name, polygon: square })), frame: { width: 640, height: 480 } } };
}

describe('mergeCameras', () => {
  it('namespaces slots by camera and adds up one total, with each camera summarised', () => {
    const m = mergeCameras([cam('south', true, [slot('1', true)]), cam('north', true, [slot('1', false), slot('2', true)])], T);
    expect(m.metadata.slots.map((s) => s.id)).toEqual(['north/1', 'north/2', 'south/1']);
    expect(m.metadata).toMatchObject({ total_slots: 3, occupied_slots: 2, available_slots: 1, partial: false, unknown_slots: 0 });
    expect(m.metadata.cameras).toEqual({
      north: { online: true, since: new Date(T - 1000).toISOString(), total: 2, occupied: 1, available: 1 },
      south: { online: true, since: new Date(T - 1000).toISOString(), total: 1, occupied: 1, available: 0 },
    });
    expect(m.layout.cameras).toEqual({ north: { frame: { width: 640, height: 480 } }, south: { frame: { width: 640, height: 480 } } });
    expect(m.layout.slots.map((s) => [s.id, s.camera])).toEqual([['north/1', 'north'], ['north/2', 'north'], ['south/1', 'south']]);
    expect(parseLotMetadata(m.metadata)).toEqual({ ok: true, value: m.metadata });
  });

  it("an offline camera's slots are unknown, never free: out of the totals, the lot partial", () => {
    const m = mergeCameras([cam('a', true, [slot('1', false)]), cam('b', false, [slot('1', false), slot('2', true)]), cam('c', true, [])], T);
    expect(m.metadata).toMatchObject({ total_slots: 1, occupied_slots: 0, available_slots: 1, partial: true, unknown_slots: 2 });
    expect(m.metadata.slots.filter((s) => s.unknown).map((s) => s.id)).toEqual(['b/1', 'b/2']);
    expect(parseLotMetadata(m.metadata).ok).toBe(true);
  });

  it('an overlap (same name, same zone) is counted once; occupied wins when the cameras disagree', () => {
    const z = { zone: 'Row A' };
    const m = mergeCameras([cam('a', true, [slot('7', false, { ...z, name: 'A-07' })]), cam('b', true, [slot('3', true, { ...z, name: 'A-07' }), slot('4', false, z)])], T);
    expect(m.metadata).toMatchObject({ total_slots: 2, occupied_slots: 1, available_slots: 1 });
    expect(m.metadata.slots[0]).toMatchObject({ id: 'a/7', occupied: true, seen_by: ['b'] });
    expect(m.metadata.zones).toEqual({ 'Row A': { total: 2, occupied: 1, available: 1 } });
    expect(m.layout.slots.find((s) => s.id === 'b/3')).toMatchObject({ same_as: 'a/7' });
    // Same name without a zone is not an overlap.
    const apart = mergeCameras([cam('a', true, [slot('1', false)]), cam('b', true, [slot('1', false)])], T);
    expect(apart.metadata.total_slots).toBe(2);
  });

  it('an overlap stays known while one of its cameras is online, under that camera', () => {
    const z = { zone: 'Row A', name: 'A-07' };
    const m = mergeCameras([cam('a', false, [slot('7', true, z)]), cam('b', true, [slot('3', false, z)])], T);
    expect(m.metadata).toMatchObject({ total_slots: 1, occupied_slots: 0, available_slots: 1, partial: true, unknown_slots: 0 });
    expect(m.metadata.slots).toEqual([expect.objectContaining({ id: 'b/3', seen_by: ['a'] })]);
    expect(m.metadata.slots[0]!.unknown).toBeUndefined();
  });

  it('a closure on either camera closes an overlap; last_updated follows the newest state or presence change', () => {
    const z = { zone: 'Row A', name: 'A-07' };
    const m = mergeCameras([cam('a', true, [slot('7', false, z)], T), cam('b', true, [slot('3', false, { ...z, closed: { reason: 'works', until: null } })], T + 5000)], T);
    expect(m.metadata).toMatchObject({ total_slots: 0, closed_slots: 1, last_updated: new Date(T + 5000).toISOString() });
    expect(mergeCameras([], T).metadata).toMatchObject({ total_slots: 0, partial: false, last_updated: new Date(T).toISOString() });
  });
});

describe('mergeCameras: a camera back online', () => {
  it('keeps its slots unknown until it sends a state', () => {
    const m = mergeCameras([{ ...cam('a', true, [slot('1', false)]), fresh: false }, cam('b', true, [slot('1', true)])], T);
    expect(m.metadata).toMatchObject({ total_slots: 1, unknown_slots: 1, partial: true });
    expect(m.metadata.cameras!.a!.online).toBe(true);
  });
});
