// One lot, several cameras. Each counting device publishes as camera <camera> of lot <lot> (with the lot's token, or a
// token the owner issued for that camera); the relay keeps each camera's latest state and presence, merges them
// (camera-merge.ts) and stores the result as the lot's state, so metadata, viewers, history, MQTT and alerts see one
// lot. Presence here is per camera, in a `PresenceTracker` of its own (presence.ts; Redis when relays share lots), so
// exactly one relay sees each camera come or go. With several relays, a lot's merges run one at a time across them
// (`OpsStore.exclusive`): each reads every camera's latest state, wherever it was published.
import { LIMITS, type Presence, type PublishedState } from '../../src/share/protocol.ts';
import { generateToken, hashToken, tokenMatches } from './auth.ts';
import { mergeCameras } from './camera-merge.ts';
import type { Logger } from './log.ts';
import type { AuthResult, Failure, LotService } from './lot-service.ts';
import type { CameraRecord, OpsStore } from './ops-store.ts';
import { InProcessPresence, type PresenceInputEvent, type PresenceTracker } from './presence.ts';

type Via = 'http' | 'socket';
export type PublishResult = { ok: true; revision: number; receivedAt: string } | Failure;

/** What a publisher session or the HTTP route publishes through: the lot itself, or one of its cameras. */
export interface PublishTarget {
  authorize(lot: string, token: string | null): Promise<AuthResult>;
  publish(lot: string, state: PublishedState, via: Via): Promise<PublishResult>;
  publisherConnected(lot: string): Promise<void>;
  publisherDisconnected(lot: string): Promise<void>;
}

export interface CameraInfo {
  camera: string;
  online: boolean;
  since: string | null;
  /** Whether the camera has a token of its own. */
  has_token: boolean;
  total: number;
  occupied: number;
  available: number;
  received_at: string | null;
}

export type CameraPresenceListener = (lot: string, camera: string, presence: { online: boolean; since: string | null }) => void;

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (t: string | null) => (t === null ? null : Date.parse(t));
/** Camera presence is kept per `<lot>/<camera>` (neither may contain a slash). */
const keyOf = (lot: string, camera: string) => `${lot}/${camera}`;

export interface CameraServiceOptions {
  store: OpsStore;
  lots: LotService;
  /** Camera presence, keyed `<lot>/<camera>`; in this process unless given. */
  presence?: PresenceTracker;
  offlineAfterMs: number;
  log: Logger;
  now?: () => number;
}

export class CameraService {
  readonly #o: CameraServiceOptions;
  readonly #now: () => number;
  readonly #presence: PresenceTracker;
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #listeners = new Set<CameraPresenceListener>();

  constructor(o: CameraServiceOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#presence = o.presence ?? new InProcessPresence(o.offlineAfterMs, this.#now);
    // A camera that fell silent, or whose relay vanished: noticed by the tracker, announced by this relay alone.
    this.#presence.onChange((key, p) => {
      const slash = key.indexOf('/');
      const [lot, camera] = [key.slice(0, slash), key.slice(slash + 1)];
      void this.#serial(lot, () => this.#changed(lot, camera, p)).catch((e: unknown) => this.#o.log.error(`camera ${camera} of lot "${lot}": ${String(e)}`));
    });
  }

  /** Told when a camera comes or goes. */
  onPresence(listener: CameraPresenceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Publishing as one camera of a lot. */
  target(camera: string): PublishTarget {
    return {
      authorize: (lot, token) => this.#authorize(lot, camera, token),
      publish: (lot, state, via) => this.#serial(lot, () => this.#publish(lot, camera, state, via)),
      publisherConnected: async (lot) => {
        await this.#o.lots.publisherConnected(lot);
        await this.#serial(lot, () => this.#stepAndMerge(lot, camera, 'socket-opened'));
      },
      publisherDisconnected: async (lot) => {
        await this.#o.lots.publisherDisconnected(lot);
        await this.#serial(lot, async () => {
          await this.#stepAndMerge(lot, camera, 'socket-closed');
          await this.#o.store.markCameraSeen(lot, camera, iso(this.#now()));
        });
      },
    };
  }

  /** Publishing to the lot as a whole: refused once the lot has cameras (their merge is its state). */
  get lotTarget(): PublishTarget {
    const lots = this.#o.lots;
    return {
      authorize: (lot, token) => lots.authorize(lot, token),
      publish: async (lot, state, via) => {
        if ((await this.#o.store.cameras(lot)).length > 0) {
          return { ok: false, code: 'invalid_message', message: `lot "${lot}" is seen by several cameras: publish as one of them (?camera=<camera>)` };
        }
        return lots.publish(lot, state, via);
      },
      publisherConnected: (lot) => lots.publisherConnected(lot),
      publisherDisconnected: (lot) => lots.publisherDisconnected(lot),
    };
  }

  async list(lot: string): Promise<CameraInfo[]> {
    const cams = await this.#o.store.cameras(lot);
    const presence = await Promise.all(cams.map((c) => this.#presenceOf(lot, c)));
    return cams.map((c, i) => {
      const p = presence[i]!;
      return {
        camera: c.camera,
        online: p.online,
        since: p.since,
        has_token: c.tokenHash !== null,
        total: c.metadata?.total_slots ?? 0,
        occupied: c.metadata?.occupied_slots ?? 0,
        available: c.metadata?.available_slots ?? 0,
        received_at: c.receivedAt,
      };
    });
  }

  /** A new token for the camera (replacing its old one); the camera is added to the lot if new. */
  async issueToken(lot: string, camera: string): Promise<{ ok: true; token: string } | Failure> {
    const full = await this.#refuseNewCamera(lot, camera);
    if (full) return full;
    const token = generateToken();
    await this.#o.store.setCameraToken(lot, camera, hashToken(token));
    this.#o.log.info(`lot "${lot}": token issued for camera "${camera}"`);
    return { ok: true, token };
  }

  async revokeToken(lot: string, camera: string): Promise<boolean> {
    if (!(await this.#o.store.cameras(lot)).some((c) => c.camera === camera)) return false;
    await this.#o.store.setCameraToken(lot, camera, null);
    this.#o.log.info(`lot "${lot}": token of camera "${camera}" revoked`);
    return true;
  }

  /** Takes the camera and its slots out of the lot. */
  async remove(lot: string, camera: string): Promise<boolean> {
    return this.#serial(lot, async () => {
      if (!(await this.#o.store.removeCamera(lot, camera))) return false;
      await this.#presence.forget(keyOf(lot, camera));
      if ((await this.#o.store.cameras(lot)).length > 0) await this.#merge(lot, 'http', false);
      return true;
    });
  }

  /** Whether a camera of a lot is online now, on any relay. */
  async online(lot: string, camera: string): Promise<boolean> {
    return (await this.#presence.get(keyOf(lot, camera), null)).online;
  }

  /** Forgets the presence of a deleted lot's cameras (the store forgets the rest). */
  async forgetLot(lot: string): Promise<void> {
    for (const c of await this.#o.store.cameras(lot)) await this.#presence.forget(keyOf(lot, c.camera));
  }

  async close(): Promise<void> {
    await this.#presence.close();
  }

  async #authorize(lot: string, camera: string, token: string | null): Promise<AuthResult> {
    const asLot = await this.#o.lots.authorize(lot, token);
    if (asLot.ok || asLot.code !== 'unauthorized') return asLot;
    const rec = (await this.#o.store.cameras(lot)).find((c) => c.camera === camera);
    if (rec && tokenMatches(token, rec.tokenHash)) return { ok: true };
    return asLot;
  }

  async #refuseNewCamera(lot: string, camera: string): Promise<Failure | null> {
    const cams = await this.#o.store.cameras(lot);
    if (cams.length < LIMITS.maxCameras || cams.some((c) => c.camera === camera)) return null;
    return { ok: false, code: 'invalid_message', message: `lot "${lot}" already has the most cameras a lot may have (${LIMITS.maxCameras})` };
  }

  async #publish(lot: string, camera: string, state: PublishedState, via: Via): Promise<PublishResult> {
    const full = await this.#refuseNewCamera(lot, camera);
    if (full) return full;
    const { layout, ...metadata } = state;
    // Presence first: a camera coming back is online "since" no later than this state arrived, so the state counts.
    const p = await this.#presence.record(keyOf(lot, camera), via === 'http' ? 'http-state' : 'socket-state');
    await this.#o.store.saveCameraState(lot, camera, { metadata, layout, receivedAt: iso(this.#now()) });
    if (p) this.#tell(lot, camera, p);
    return this.#merge(lot, via, true);
  }

  async #stepAndMerge(lot: string, camera: string, input: PresenceInputEvent): Promise<void> {
    const p = await this.#presence.record(keyOf(lot, camera), input);
    if (p) await this.#changed(lot, camera, p);
  }

  /** A camera came or went: say so, and merge again. */
  async #changed(lot: string, camera: string, p: Presence): Promise<void> {
    this.#tell(lot, camera, p);
    // Its slots become known or unknown: the lot's state changes without anyone publishing (once there is one).
    if (!(await this.#o.store.cameras(lot)).some((c) => c.metadata !== null)) return;
    const r = await this.#merge(lot, 'socket', false);
    if (!r.ok) this.#o.log.warn(`lot "${lot}": merging its cameras failed: ${r.message}`);
  }

  #presenceOf(lot: string, c: CameraRecord): Promise<Presence> {
    return this.#presence.get(keyOf(lot, c.camera), ms(c.seenAt) ?? ms(c.receivedAt));
  }

  #tell(lot: string, camera: string, presence: Presence): void {
    for (const l of this.#listeners) {
      try {
        l(lot, camera, presence);
      } catch (e) {
        this.#o.log.error(`camera presence listener: ${String(e)}`);
      }
    }
  }

  /** The lot's state from every camera's latest; one relay at a time per lot, so the last merge saw every state. */
  #merge(lot: string, via: Via, heard: boolean): Promise<PublishResult> {
    return this.#o.store.exclusive(lot, async () => {
      const cams = await this.#o.store.cameras(lot);
      const presence = await Promise.all(cams.map((c) => this.#presenceOf(lot, c)));
      const merged = mergeCameras(
        cams.map((c, i) => {
          const p = presence[i]!;
          const since = ms(p.since);
          const fresh = c.receivedAt !== null && (since === null || Date.parse(c.receivedAt) >= since);
          return { camera: c.camera, online: p.online, since, fresh, metadata: c.metadata, layout: c.layout };
        }),
        this.#now(),
      );
      return this.#o.lots.publish(lot, { ...merged.metadata, layout: merged.layout }, via, heard);
    });
  }

  /** One lot's camera work runs in order: each merge sees every state stored before it. */
  #serial<T>(lot: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(lot) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => {});
    this.#queues.set(lot, settled);
    void settled.then(() => {
      if (this.#queues.get(lot) === settled) this.#queues.delete(lot);
    });
    return run;
  }
}
