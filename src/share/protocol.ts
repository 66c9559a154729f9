// The one message protocol between the counting app, its viewers and the relay. Pure: no DOM, no Node, no I/O.
// Everything that crosses a socket or an HTTP body is checked here by a parser that never throws, so the relay and
// the app can treat any input as `unknown` and get either a typed value or a clear error.
import { breakdown, isCounted, type CameraSummary, type ClosureMetadata, type LotMetadata, type SlotMetadata } from './metadata.ts';
import type { CounterState, CounterStatus } from '../occupancy/counting-status.ts';
import { SLOT_KINDS, type LotCounts, type SlotKind } from '../occupancy/types.ts';
import { hasControlCharacters } from '../occupancy/slot-names.ts';
import { daysInMonth } from '../history/zoned-time.ts';

export type { CameraSummary, ClosureMetadata, CounterState, CounterStatus, LotMetadata, SlotMetadata };

export const PROTOCOL_VERSION = 1;

export const LIMITS = {
  /** Counts above this are refused: no lot is that big, and it keeps arithmetic exact. */
  maxCount: 100_000,
  /** Per-slot detail and layout entries per message. */
  maxSlots: 1_000,
  maxPolygonPoints: 16,
  /** A slot id of 64, or in a lot seen by several cameras `<camera>/<slot id>` (a camera id is at most 32). */
  maxIdLength: 97,
  maxNameLength: 128,
  maxTokenLength: 256,
  /** Zone names (they appear in MQTT topics and CSV headers) and closure reasons. */
  maxZoneLength: 64,
  maxReasonLength: 200,
  maxCameras: 32,
  /** Largest frame or HTTP body a publisher may send (a 1,000-slot layout fits). */
  maxPublisherMessageBytes: 256 * 1024,
  /** Viewers are read-only; they have no reason to send more than a few bytes. */
  maxViewerMessageBytes: 4 * 1024,
} as const;

/** Lot ids appear in URLs and file-free storage keys, so they are restricted to a safe charset. */
export const LOT_ID_PATTERN = /^[a-z0-9_-]{1,64}$/;
/** Camera ids of a lot seen by several cameras: the same charset (they appear in URLs, slot ids and MQTT topics). */
export const CAMERA_ID_PATTERN = /^[a-z0-9_-]{1,32}$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------------------------
// Shapes

/** The original Python system's `GET /metadata`, exactly these four keys. */
export interface OriginalMetadata {
  total_slots: number;
  occupied_slots: number;
  available_slots: number;
  last_updated: string;
}

/** The original Python system's WebSocket message, exactly. */
export interface UpdateEvent {
  event: 'update';
  data: { occupied: number; available: number; total: number; last_updated: string };
}

export type PolygonPoint = [number, number];

export interface LayoutSlot {
  id: string;
  name: string;
  /** Normalised frame coordinates, 0..1, so a viewer can draw the slot map at any size. */
  polygon: PolygonPoint[];
  zone?: string;
  /** Absent means `standard`. */
  kind?: SlotKind;
  closed?: ClosureMetadata;
  /** In a lot seen by several cameras: whose frame the polygon is in. */
  camera?: string;
  /** An overlap: this camera's view of a slot counted as `same_as` (the id in the lot's metadata). */
  same_as?: string;
}

export interface FrameSize {
  width: number;
  height: number;
}

export interface Layout {
  slots: LayoutSlot[];
  /** Size of the frame the slots were marked on, so viewers draw the map with the camera's aspect ratio. */
  frame?: FrameSize;
  /** A lot seen by several cameras: each camera's frame (its slots carry `camera`), one map per camera. */
  cameras?: Record<string, { frame?: FrameSize }>;
}

/**
 * What a publisher sends: the app's own metadata export, plus the slot layout when it has one. A state without
 * `layout` leaves the lot's stored layout as it was.
 */
export interface PublishedState extends LotMetadata {
  layout?: Layout;
}

/** Whether a lot's counting device is connected; `since` is when that last changed (null: never seen). */
export interface Presence {
  online: boolean;
  since: string | null;
  /** While online: what the counter last said of itself (counting, paused or stopped), when it said so. */
  status?: CounterStatus;
}

/** `GET /lots/<lot>/metadata`: the four original keys plus detail under extra keys. */
export interface RichMetadata extends LotMetadata {
  lot: string;
  layout: Layout | null;
  /** Relay time the state arrived. */
  received_at: string;
  publisher: Presence;
}

/** `POST /lots` answer; the token is shown this once. */
export interface LotCreated {
  lot: string;
  token: string;
  viewer_path: string;
  metadata_path: string;
  state_path: string;
  publish_path: string;
  live_path: string;
}

export type ErrorCode =
  | 'bad_json'
  | 'invalid_message'
  | 'invalid_state'
  | 'invalid_lot'
  | 'invalid_query'
  | 'unknown_lot'
  | 'unknown_camera'
  | 'invalid_config'
  | 'refused_target'
  | 'no_state'
  | 'unauthorized'
  | 'lot_exists'
  | 'too_many_lots'
  | 'rate_limited'
  | 'too_large'
  | 'read_only'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'forbidden_origin'
  | 'unavailable'
  | 'internal';

/** Body of every HTTP error answer. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

// WebSocket `/lots/<lot>/publish`: publisher -> relay
export interface AuthMessage {
  type: 'auth';
  token: string;
}
export interface StateMessageFromPublisher {
  type: 'state';
  /** Echoed in the ack, so a publisher can tell which state was stored. */
  seq?: number;
  state: PublishedState;
}
export type PublisherMessage = AuthMessage | StateMessageFromPublisher;

// relay -> publisher
export interface ReadyMessage {
  type: 'ready';
  lot: string;
}
export interface AckMessage {
  type: 'ack';
  seq: number | null;
  revision: number;
}
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  seq?: number;
}
export type RelayToPublisherMessage = ReadyMessage | AckMessage | ErrorMessage;

// WebSocket `/lots/<lot>/live`: relay -> viewer (viewers send nothing)
export interface SnapshotMessage {
  type: 'snapshot';
  lot: string;
  state: LotMetadata | null;
  layout: Layout | null;
  received_at: string | null;
  publisher: Presence;
}
export interface StateMessage {
  type: 'state';
  lot: string;
  state: LotMetadata;
  /** Present only when the layout changed since the last message. */
  layout?: Layout;
  received_at: string;
}
export interface PresenceMessage {
  type: 'presence';
  lot: string;
  publisher: Presence;
}
export type ViewerMessage = SnapshotMessage | StateMessage | PresenceMessage | ErrorMessage;

// BroadcastChannel `lotwatch:<lot>`: between tabs and windows of one browser, no relay involved.
/** The counting tab's state, posted on every change and in answer to `hello`. */
export interface TabStateMessage {
  type: 'state';
  state: PublishedState;
  /** Whether the counter is analysing frames right now (false while paused, e.g. hidden). */
  counting: boolean;
}
/** A viewer tab asks the counting tab (if any) to post its state now. */
export interface TabHelloMessage {
  type: 'hello';
}
/** The counting tab stopped (closed, source stopped). */
export interface TabStoppedMessage {
  type: 'stopped';
  at: string;
}
export type TabMessage = TabStateMessage | TabHelloMessage | TabStoppedMessage;

/** WebSocket close codes the relay uses; clients decide from them whether reconnecting can help. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  tooLarge: 1009,
  badMessage: 4400,
  unauthorized: 4401,
  unknownLot: 4404,
  authTimeout: 4408,
  rateLimited: 4429,
} as const;

/** Close codes after which reconnecting with the same settings cannot succeed. */
export const FINAL_CLOSE_CODES: readonly number[] = [CLOSE.unauthorized, CLOSE.unknownLot];

/** Paths of a lot's endpoints, in one place for the relay and the app. */
export const lotPaths = (lot: string) => ({
  viewer: `/v/${lot}`,
  metadata: `/lots/${lot}/metadata`,
  state: `/lots/${lot}/state`,
  publish: `/lots/${lot}/publish`,
  live: `/lots/${lot}/live`,
  history: `/lots/${lot}/history`,
});

// ---------------------------------------------------------------------------------------------------------------
// Builders

export function toOriginalMetadata(m: OriginalMetadata): OriginalMetadata {
  return {
    total_slots: m.total_slots,
    occupied_slots: m.occupied_slots,
    available_slots: m.available_slots,
    last_updated: m.last_updated,
  };
}

export function toUpdateEvent(m: OriginalMetadata): UpdateEvent {
  return {
    event: 'update',
    data: { occupied: m.occupied_slots, available: m.available_slots, total: m.total_slots, last_updated: m.last_updated },
  };
}

/** Strips a published state down to the stored metadata (layout travels separately). */
export function toLotMetadata(s: LotMetadata): LotMetadata {
  const m: LotMetadata = { ...toOriginalMetadata(s), slots: s.slots.map((x) => ({ ...x })) };
  for (const k of BREAKDOWN_KEYS) if (s[k] !== undefined) Object.assign(m, { [k]: structuredClone(s[k]) });
  if (s.status) m.status = { ...s.status };
  return m;
}

/**
 * `GET /metadata`'s `X-Lotwatch-Publisher` header: `online; status=counting`, `online; status=paused; reason=page-hidden`,
 * `online; status=stopped`, `online` (a publisher that does not say), or `offline; since=<ISO time or never>`.
 */
export function publisherHeader(p: Presence): string {
  if (!p.online) return `offline; since=${p.since ?? 'never'}`;
  if (!p.status) return 'online';
  return `online; status=${p.status.state}${p.status.reason ? `; reason=${p.status.reason}` : ''}`;
}

/** The keys beyond the original four and `slots` that a lot's metadata may carry. */
const BREAKDOWN_KEYS = ['zones', 'kinds', 'closed_slots', 'cameras', 'partial', 'unknown_slots', 'camera_moved'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Parsers. Internally a failed check throws `Invalid` with a path; the exported parsers catch it and never throw.

class Invalid extends Error {}

const fail = (path: string, expected: string): never => {
  throw new Invalid(`${path || 'message'}: expected ${expected}`);
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function record(v: unknown, path: string): Record<string, unknown> {
  return isRecord(v) ? v : fail(path, 'an object');
}

function count(v: unknown, path: string): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= LIMITS.maxCount
    ? v
    : fail(path, `an integer from 0 to ${LIMITS.maxCount}`);
}

function text(v: unknown, path: string, min: number, max: number): string {
  return typeof v === 'string' && v.length >= min && v.length <= max ? v : fail(path, `a string of ${min} to ${max} characters`);
}

function unit(v: unknown, path: string): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : fail(path, 'a number from 0 to 1');
}

function array(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) return fail(path, 'an array');
  return v.length <= max ? v : fail(path, `at most ${max} entries`);
}

// Date and time, optional seconds and fraction, optional zone: what `toISOString()` and Python's `isoformat()` write.
const ISO_8601 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;

/** Years a device's clock may plausibly show: year 0000 or 9999 is a broken clock or a probe, not a time. */
export const YEARS = { min: 1970, max: 2099 } as const;

/**
 * True for an ISO-8601 date-time such as `2025-08-07T14:20:30` or `2025-08-07T14:20:30.123Z` on a day that exists
 * (not 2025-02-30, which `Date.parse` would take for 2 March) in years `YEARS`.
 */
export function isIsoDateTime(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 40) return false;
  const m = ISO_8601.exec(v);
  if (!m) return false;
  const year = Number(v.slice(0, 4));
  if (year < YEARS.min || year > YEARS.max || Number(m[2]) > daysInMonth(year, Number(m[1]))) return false;
  return !Number.isNaN(Date.parse(v));
}

function isoTime(v: unknown, path: string): string {
  return isIsoDateTime(v) ? v : fail(path, 'an ISO-8601 date-time');
}

// Slot names and ids, zone names and reasons end up in CSV, MQTT topics and HTML: no control characters.
function label(v: unknown, path: string, max: number, min = 1): string {
  const t = text(v, path, min, max);
  return hasControlCharacters(t) ? fail(path, 'text without control characters') : t;
}

function slotKind(v: unknown, path: string): SlotKind {
  return typeof v === 'string' && (SLOT_KINDS as readonly string[]).includes(v) ? (v as SlotKind) : fail(path, `one of ${SLOT_KINDS.join(', ')}`);
}

function closure(v: unknown, path: string): ClosureMetadata {
  const o = record(v, path);
  return { reason: label(o.reason, `${path}.reason`, LIMITS.maxReasonLength, 0), until: o.until === null || o.until === undefined ? null : isoTime(o.until, `${path}.until`) };
}

function cameraId(v: unknown, path: string): string {
  return typeof v === 'string' && CAMERA_ID_PATTERN.test(v) ? v : fail(path, 'a camera id of 1 to 32 characters a-z 0-9 - _');
}

/** The optional zone, kind, closure and camera of a slot (in metadata or a layout), copied when present. */
function slotExtras(o: Record<string, unknown>, path: string): Pick<SlotMetadata, 'zone' | 'kind' | 'closed' | 'camera'> {
  const x: Pick<SlotMetadata, 'zone' | 'kind' | 'closed' | 'camera'> = {};
  if (o.zone !== undefined) x.zone = label(o.zone, `${path}.zone`, LIMITS.maxZoneLength);
  if (o.kind !== undefined) x.kind = slotKind(o.kind, `${path}.kind`);
  if (o.closed !== undefined) x.closed = closure(o.closed, `${path}.closed`);
  if (o.camera !== undefined) x.camera = cameraId(o.camera, `${path}.camera`);
  return x;
}

function slotMetadata(v: unknown, path: string): SlotMetadata {
  const o = record(v, path);
  if (typeof o.occupied !== 'boolean') fail(`${path}.occupied`, 'a boolean');
  const m: SlotMetadata = {
    id: label(o.id, `${path}.id`, LIMITS.maxIdLength),
    name: label(o.name, `${path}.name`, LIMITS.maxNameLength, 0),
    occupied: o.occupied as boolean,
    probability: unit(o.probability, `${path}.probability`),
    since: isoTime(o.since, `${path}.since`),
    ...slotExtras(o, path),
  };
  if (o.seen_by !== undefined) m.seen_by = array(o.seen_by, `${path}.seen_by`, LIMITS.maxCameras).map((c, i) => cameraId(c, `${path}.seen_by[${i}]`));
  if (o.unknown !== undefined) {
    if (o.unknown !== true) fail(`${path}.unknown`, 'true when present');
    m.unknown = true;
  }
  return m;
}

function counts(v: unknown, path: string): LotCounts {
  const o = record(v, path);
  const total = count(o.total, `${path}.total`);
  const occupied = count(o.occupied, `${path}.occupied`);
  const available = count(o.available, `${path}.available`);
  if (occupied + available !== total) fail(`${path}.available`, `occupied + available = total (got ${occupied} + ${available} ≠ ${total})`);
  return { total, occupied, available };
}

function countsByName<K extends string>(v: unknown, path: string, key: (k: string, path: string) => K): Partial<Record<K, LotCounts>> {
  const o = record(v, path);
  const entries = Object.entries(o);
  if (entries.length > LIMITS.maxSlots) fail(path, `at most ${LIMITS.maxSlots} entries`);
  const out: Partial<Record<K, LotCounts>> = {};
  for (const [k, c] of entries) out[key(k, `${path}["${k.slice(0, 40)}"]`)] = counts(c, `${path}["${k.slice(0, 40)}"]`);
  return out;
}

function cameraSummary(v: unknown, path: string): CameraSummary {
  const o = record(v, path);
  if (typeof o.online !== 'boolean') fail(`${path}.online`, 'a boolean');
  const c: CameraSummary = { online: o.online as boolean, since: o.since === null ? null : isoTime(o.since, `${path}.since`), ...counts(o, path) };
  if (o.camera_moved !== undefined) {
    if (typeof o.camera_moved !== 'boolean') fail(`${path}.camera_moved`, 'a boolean');
    c.camera_moved = o.camera_moved as boolean;
  }
  return c;
}

const sameCounts = (a: LotCounts | undefined, b: LotCounts | undefined) =>
  a !== undefined && b !== undefined && a.total === b.total && a.occupied === b.occupied;

/** Zones, kinds, closed and cameras of a lot's metadata, checked against its slots when it lists them. */
function breakdownOf(o: Record<string, unknown>, at: (k: string) => string, slots: readonly SlotMetadata[]): Partial<LotMetadata> {
  const x: Partial<LotMetadata> = {};
  if (o.zones !== undefined) x.zones = countsByName(o.zones, at('zones'), (k, p) => label(k, p, LIMITS.maxZoneLength)) as Record<string, LotCounts>;
  if (o.kinds !== undefined) x.kinds = countsByName(o.kinds, at('kinds'), (k, p) => slotKind(k, p));
  if (o.closed_slots !== undefined) x.closed_slots = count(o.closed_slots, at('closed_slots'));
  if (o.unknown_slots !== undefined) x.unknown_slots = count(o.unknown_slots, at('unknown_slots'));
  for (const k of ['partial', 'camera_moved'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'boolean') fail(at(k), 'a boolean');
    x[k] = o[k] as boolean;
  }
  if (o.cameras !== undefined) {
    const c = record(o.cameras, at('cameras'));
    if (Object.keys(c).length > LIMITS.maxCameras) fail(at('cameras'), `at most ${LIMITS.maxCameras} cameras`);
    x.cameras = {};
    for (const [id, v] of Object.entries(c)) x.cameras[cameraId(id, at('cameras'))] = cameraSummary(v, `${at('cameras')}.${id}`);
  }
  if (slots.length > 0) {
    // Breakdowns, like the counts, must agree with the slots viewers are shown.
    const b = breakdown(slots);
    for (const [name, c] of Object.entries(x.zones ?? {})) if (!sameCounts(c, b.zones[name])) fail(`${at('zones')}["${name.slice(0, 40)}"]`, 'the counts of the slots in that zone');
    for (const [kind, c] of Object.entries(x.kinds ?? {}) as [SlotKind, LotCounts][]) {
      if (!sameCounts(c, b.kinds[kind])) fail(`${at('kinds')}.${kind}`, 'the counts of the slots of that kind');
    }
  }
  return x;
}

function uniqueIds(items: readonly { id: string }[], path: string): void {
  const seen = new Set<string>();
  for (const [i, { id }] of items.entries()) {
    if (seen.has(id)) fail(`${path}[${i}].id`, `an id not used before (duplicate "${id}")`);
    seen.add(id);
  }
}

function layout(v: unknown, path: string): Layout {
  const o = record(v, path);
  const slots = array(o.slots, `${path}.slots`, LIMITS.maxSlots).map((s, i): LayoutSlot => {
    const p = `${path}.slots[${i}]`;
    const so = record(s, p);
    const points = array(so.polygon, `${p}.polygon`, LIMITS.maxPolygonPoints);
    if (points.length < 3) fail(`${p}.polygon`, 'at least 3 points');
    return {
      id: label(so.id, `${p}.id`, LIMITS.maxIdLength),
      name: label(so.name, `${p}.name`, LIMITS.maxNameLength, 0),
      polygon: points.map((pt, j): PolygonPoint => {
        if (!Array.isArray(pt) || pt.length !== 2) return fail(`${p}.polygon[${j}]`, 'an [x, y] pair');
        return [unit(pt[0], `${p}.polygon[${j}][0]`), unit(pt[1], `${p}.polygon[${j}][1]`)];
      }),
      ...slotExtras(so, p),
      ...(so.same_as === undefined ? {} : { same_as: text(so.same_as, `${p}.same_as`, 1, LIMITS.maxIdLength) }),
    };
  });
  uniqueIds(slots, `${path}.slots`);
  const out: Layout = { slots };
  if (o.frame !== undefined) out.frame = frameSize(o.frame, `${path}.frame`);
  if (o.cameras !== undefined) {
    const c = record(o.cameras, `${path}.cameras`);
    if (Object.keys(c).length > LIMITS.maxCameras) fail(`${path}.cameras`, `at most ${LIMITS.maxCameras} cameras`);
    out.cameras = {};
    for (const [id, v] of Object.entries(c)) {
      const e = record(v, `${path}.cameras.${id}`);
      out.cameras[cameraId(id, `${path}.cameras`)] = e.frame === undefined ? {} : { frame: frameSize(e.frame, `${path}.cameras.${id}.frame`) };
    }
  }
  return out;
}

function frameSize(v: unknown, path: string): FrameSize {
  const f = record(v, path);
  return { width: dimension(f.width, `${path}.width`), height: dimension(f.height, `${path}.height`) };
}

function dimension(v: unknown, path: string): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100_000 ? v : fail(path, 'an integer from 1 to 100000');
}

function lotMetadata(v: unknown, path: string, slotsRequired: boolean): LotMetadata {
  const o = record(v, path);
  const at = (k: string) => (path ? `${path}.${k}` : k);
  const total = count(o.total_slots, at('total_slots'));
  const occupied = count(o.occupied_slots, at('occupied_slots'));
  const available = count(o.available_slots, at('available_slots'));
  if (occupied + available !== total) {
    fail(at('available_slots'), `occupied_slots + available_slots = total_slots (got ${occupied} + ${available} ≠ ${total})`);
  }
  const lastUpdated = isoTime(o.last_updated, at('last_updated'));
  const slots =
    o.slots === undefined && !slotsRequired
      ? []
      : array(o.slots, at('slots'), LIMITS.maxSlots).map((s, i) => slotMetadata(s, `${at('slots')}[${i}]`));
  // Per-slot detail is optional, but when given it must agree with the counts viewers are shown. Closed slots and
  // slots of an offline camera are listed but not counted.
  if (slots.length > 0) {
    uniqueIds(slots, at('slots'));
    const counted = slots.filter(isCounted);
    if (counted.length !== total) fail(at('slots'), `one entry per slot (${total}) besides closed and unknown ones, got ${counted.length}`);
    const occ = counted.filter((s) => s.occupied).length;
    if (occ !== occupied) fail(at('slots'), `${occupied} occupied entries to match occupied_slots, got ${occ}`);
  }
  const m: LotMetadata = { total_slots: total, occupied_slots: occupied, available_slots: available, last_updated: lastUpdated, slots, ...breakdownOf(o, at, slots) };
  if (o.status !== undefined) m.status = counterStatus(o.status, at('status'));
  return m;
}

const COUNTER_STATES: ReadonlySet<string> = new Set<CounterState>(['counting', 'paused', 'stopped']);
const REASON = /^[a-z][a-z0-9-]{0,39}$/;

function counterStatus(v: unknown, path: string): CounterStatus {
  const o = record(v, path);
  if (typeof o.state !== 'string' || !COUNTER_STATES.has(o.state)) fail(`${path}.state`, '"counting", "paused" or "stopped"');
  const reason = o.reason === null || o.reason === undefined ? null : typeof o.reason === 'string' && REASON.test(o.reason) ? o.reason : fail(`${path}.reason`, 'null or a short lower-case word (a-z, 0-9, -)');
  return { state: o.state as CounterState, reason, since: isoTime(o.since, `${path}.since`) };
}

function publishedState(v: unknown, path: string): PublishedState {
  const o = record(v, path);
  const m = lotMetadata(o, path, false);
  return o.layout === undefined ? m : { ...m, layout: layout(o.layout, path ? `${path}.layout` : 'layout') };
}

function presence(v: unknown, path: string): Presence {
  const o = record(v, path);
  if (typeof o.online !== 'boolean') fail(`${path}.online`, 'a boolean');
  const p: Presence = { online: o.online as boolean, since: o.since === null ? null : isoTime(o.since, `${path}.since`) };
  if (o.status !== undefined) p.status = counterStatus(o.status, `${path}.status`);
  return p;
}

function lotId(v: unknown, path: string): string {
  return typeof v === 'string' && LOT_ID_PATTERN.test(v) ? v : fail(path, 'a lot id of 1 to 64 characters a-z 0-9 - _');
}

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'bad_json', 'invalid_message', 'invalid_state', 'invalid_lot', 'invalid_query', 'unknown_lot', 'unknown_camera', 'invalid_config',
  'refused_target', 'no_state', 'unauthorized',
  'lot_exists', 'too_many_lots', 'rate_limited', 'too_large', 'read_only', 'not_found', 'method_not_allowed',
  'unsupported_media_type', 'forbidden_origin', 'unavailable', 'internal',
]);

function errorMessage(o: Record<string, unknown>): ErrorMessage {
  if (typeof o.code !== 'string' || !ERROR_CODES.has(o.code)) fail('code', 'a known error code');
  const m: ErrorMessage = { type: 'error', code: o.code as ErrorCode, message: text(o.message, 'message', 0, 1000) };
  if (o.seq !== undefined) m.seq = seq(o.seq, 'seq');
  return m;
}

function seq(v: unknown, path: string): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(path, 'a non-negative integer');
}

function run<T>(check: () => T): Parsed<T> {
  try {
    return { ok: true, value: check() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    // A bug in a check, not bad input; still never throw at the caller.
    return { ok: false, error: `message: could not be checked (${String(e)})` };
  }
}

/** `JSON.parse` that reports instead of throwing. */
export function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

export const parseLotId = (v: unknown): Parsed<string> => run(() => lotId(v, 'lot'));

/** A published state: `total_slots`, `occupied_slots`, `available_slots`, `last_updated`, optional `slots` and `layout`. */
export const parsePublishedState = (v: unknown): Parsed<PublishedState> => run(() => publishedState(v, ''));

/** Stored or relayed metadata, where `slots` is always present (possibly empty). */
export const parseLotMetadata = (v: unknown): Parsed<LotMetadata> => run(() => lotMetadata(v, '', true));

export const parseLayout = (v: unknown): Parsed<Layout> => run(() => layout(v, 'layout'));

export const parseOriginalMetadata = (v: unknown): Parsed<OriginalMetadata> =>
  run(() => toOriginalMetadata(lotMetadata(v, '', false)));

export function parsePublisherMessage(v: unknown): Parsed<PublisherMessage> {
  return run((): PublisherMessage => {
    const o = record(v, '');
    switch (o.type) {
      case 'auth':
        return { type: 'auth', token: text(o.token, 'token', 1, LIMITS.maxTokenLength) };
      case 'state': {
        const m: StateMessageFromPublisher = { type: 'state', state: publishedState(o.state, 'state') };
        if (o.seq !== undefined) m.seq = seq(o.seq, 'seq');
        return m;
      }
      default:
        return fail('type', '"auth" or "state"');
    }
  });
}

export function parseRelayToPublisherMessage(v: unknown): Parsed<RelayToPublisherMessage> {
  return run((): RelayToPublisherMessage => {
    const o = record(v, '');
    switch (o.type) {
      case 'ready':
        return { type: 'ready', lot: lotId(o.lot, 'lot') };
      case 'ack':
        return { type: 'ack', seq: o.seq === null ? null : seq(o.seq, 'seq'), revision: seq(o.revision, 'revision') };
      case 'error':
        return errorMessage(o);
      default:
        return fail('type', '"ready", "ack" or "error"');
    }
  });
}

export function parseViewerMessage(v: unknown): Parsed<ViewerMessage> {
  return run((): ViewerMessage => {
    const o = record(v, '');
    switch (o.type) {
      case 'snapshot':
        return {
          type: 'snapshot',
          lot: lotId(o.lot, 'lot'),
          state: o.state === null ? null : lotMetadata(o.state, 'state', true),
          layout: o.layout === null ? null : layout(o.layout, 'layout'),
          received_at: o.received_at === null ? null : isoTime(o.received_at, 'received_at'),
          publisher: presence(o.publisher, 'publisher'),
        };
      case 'state': {
        const m: StateMessage = {
          type: 'state',
          lot: lotId(o.lot, 'lot'),
          state: lotMetadata(o.state, 'state', true),
          received_at: isoTime(o.received_at, 'received_at'),
        };
        if (o.layout !== undefined) m.layout = layout(o.layout, 'layout');
        return m;
      }
      case 'presence':
        return { type: 'presence', lot: lotId(o.lot, 'lot'), publisher: presence(o.publisher, 'publisher') };
      case 'error':
        return errorMessage(o);
      default:
        return fail('type', '"snapshot", "state", "presence" or "error"');
    }
  });
}

export function parseTabMessage(v: unknown): Parsed<TabMessage> {
  return run((): TabMessage => {
    const o = record(v, '');
    switch (o.type) {
      case 'state':
        if (typeof o.counting !== 'boolean') fail('counting', 'a boolean');
        return { type: 'state', state: publishedState(o.state, 'state'), counting: o.counting as boolean };
      case 'hello':
        return { type: 'hello' };
      case 'stopped':
        return { type: 'stopped', at: isoTime(o.at, 'at') };
      default:
        return fail('type', '"state", "hello" or "stopped"');
    }
  });
}

export function parseRichMetadata(v: unknown): Parsed<RichMetadata> {
  return run((): RichMetadata => {
    const o = record(v, '');
    return {
      ...lotMetadata(o, '', true),
      lot: lotId(o.lot, 'lot'),
      layout: o.layout === null ? null : layout(o.layout, 'layout'),
      received_at: isoTime(o.received_at, 'received_at'),
      publisher: presence(o.publisher, 'publisher'),
    };
  });
}

export function parseLotCreated(v: unknown): Parsed<LotCreated> {
  return run((): LotCreated => {
    const o = record(v, '');
    const lot = lotId(o.lot, 'lot');
    const path = (k: string) => text(o[k], k, 1, 200);
    return {
      lot,
      token: text(o.token, 'token', 16, LIMITS.maxTokenLength),
      viewer_path: path('viewer_path'),
      metadata_path: path('metadata_path'),
      state_path: path('state_path'),
      publish_path: path('publish_path'),
      live_path: path('live_path'),
    };
  });
}

export function parseErrorBody(v: unknown): Parsed<ErrorBody> {
  return run((): ErrorBody => {
    const o = record(v, '');
    if (typeof o.error !== 'string' || !ERROR_CODES.has(o.error)) fail('error', 'a known error code');
    return { error: o.error as ErrorCode, message: text(o.message, 'message', 0, 1000) };
  });
}
