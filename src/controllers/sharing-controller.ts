import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { LotBroadcast } from '../share/lot-broadcast.ts';
import type { PublishedState } from '../share/protocol.ts';
import { checkRelay, createLot, createPublisher, viewerUrl, type Publisher, type RelayCheck, type RelayProblem } from '../share/relay-client.ts';
import type { RelayConfig, RelayStatus } from '../share/relay-config.ts';

export interface RelayConfigStorage {
  load(): Promise<RelayConfig | null>;
  save(config: RelayConfig | null): Promise<void>;
}

/**
 * Shares the counter's state: on the lot's BroadcastChannel for other tabs of this browser, and to a relay when one
 * is set up. Video never goes anywhere; only the published state does.
 */
export class SharingController implements ReactiveController {
  relay: RelayConfig | null = null;
  relayStatus: RelayStatus = 'off';
  /** Why the relay is not live, in words. */
  relayDetail: string | null = null;
  /** A new lot's publish token, shown once right after the relay created it. */
  createdToken: string | null = null;
  /** Why the relay could not be set up (which case it is, and what to try). */
  problem: RelayProblem | null = null;
  private broadcast: LotBroadcast | null = null;
  private publisher: Publisher | null = null;
  private last: { state: PublishedState; counting: boolean } | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lot: string,
    private readonly storage: RelayConfigStorage,
  ) {
    host.addController(this);
  }

  async hostConnected(): Promise<void> {
    this.broadcast = new LotBroadcast(this.lot, (m) => {
      // A viewer tab that just opened asks for the current numbers.
      if (m.type === 'hello' && this.last) this.broadcast?.post({ type: 'state', ...this.last });
    });
    const saved = await this.storage.load().catch(() => null);
    if (saved && !this.publisher) this.startPublisher(saved);
  }

  hostDisconnected(): void {
    this.stopped();
    this.broadcast?.close();
    this.broadcast = null;
    this.publisher?.close();
    this.publisher = null;
  }

  /** The relay's viewer link for this lot, when a relay is set up. */
  get viewerLink(): string | null {
    return this.relay ? viewerUrl(this.relay.url, this.relay.lot) : null;
  }

  update(state: PublishedState, counting: boolean): void {
    this.last = { state, counting };
    this.broadcast?.post({ type: 'state', state, counting });
    this.publisher?.publish(state);
  }

  /** The counter stopped (source closed, tab closing). */
  stopped(): void {
    if (this.last) this.broadcast?.post({ type: 'stopped', at: new Date().toISOString() });
    this.last = null;
  }

  /**
   * Connects to a relay: with a token the user has, or by creating the lot there (the token is then shown once; a relay
   * that faces the internet wants its operator's token for that).
   */
  async connect(url: string, lot: string, token: string | null, camera: string | null = null, operatorToken: string | null = null): Promise<void> {
    this.createdToken = null;
    this.relayDetail = null;
    this.problem = null;
    this.relayStatus = 'creating';
    this.host.requestUpdate();
    const check: RelayCheck = {
      pageUrl: location.href,
      // Anything answering at all, even a reply this page may not read: tells a CORS refusal from an absent relay.
      probe: (u) => fetch(u, { mode: 'no-cors', cache: 'no-store' }).then(() => true),
    };
    const fetchFn = (u: string, init: RequestInit) => fetch(u, init);
    let config: RelayConfig;
    if (token) {
      const there = await checkRelay(url, fetchFn, check);
      if (!there.ok) return this.failed(there.problem);
      config = { url, lot, token, ...(camera ? { camera } : {}) };
    } else {
      const created = await createLot(url, lot, fetchFn, operatorToken, check);
      if (!created.ok) return this.failed(created.problem);
      config = { url, lot: created.value.lot, token: created.value.token };
      this.createdToken = created.value.token;
    }
    await this.storage.save(config);
    this.startPublisher(config);
  }

  private failed(problem: RelayProblem): void {
    this.relayStatus = 'off';
    this.problem = problem;
    this.host.requestUpdate();
  }

  async disconnect(): Promise<void> {
    this.publisher?.close();
    this.publisher = null;
    this.relay = null;
    this.relayStatus = 'off';
    this.relayDetail = null;
    this.createdToken = null;
    this.problem = null;
    await this.storage.save(null);
    this.host.requestUpdate();
  }

  private startPublisher(config: RelayConfig): void {
    this.publisher?.close();
    this.relay = config;
    this.relayStatus = 'connecting';
    this.publisher = createPublisher({
      url: config.url,
      lot: config.lot,
      token: config.token,
      camera: config.camera ?? null,
      WebSocket,
      onStatus: (status, detail) => {
        this.relayStatus = status;
        this.relayDetail = detail;
        this.host.requestUpdate();
      },
      onError: (e) => {
        this.relayDetail = `${e.code}: ${e.message}`;
        this.host.requestUpdate();
      },
    });
    if (this.last) this.publisher.publish(this.last.state);
    this.host.requestUpdate();
  }
}
