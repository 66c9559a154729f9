import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { LotBroadcast } from '../share/lot-broadcast.ts';
import { watchLot, type ViewerSubscription } from '../share/relay-client.ts';
import { fromRelayView, fromTabMessage, INITIAL_VIEWER_MODEL as INITIAL, type ViewerModel } from '../share/viewer-model.ts';

/** Follows a lot counted in another tab of this browser, through its BroadcastChannel. */
export class TabViewerController implements ReactiveController {
  model: ViewerModel = INITIAL;
  private channel: LotBroadcast | null = null;
  private waiting: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lot: string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.channel = new LotBroadcast(this.lot, (m) => {
      if (m.type === 'hello') return;
      clearTimeout(this.waiting);
      this.model = fromTabMessage(this.model, m);
      this.host.requestUpdate();
    });
    this.channel.post({ type: 'hello' });
    // No answer within a moment: nothing counts this lot in this browser.
    this.waiting = setTimeout(() => this.model.status === 'connecting' && this.set({ status: 'waiting' }), 1500);
  }

  hostDisconnected(): void {
    clearTimeout(this.waiting);
    this.channel?.close();
    this.channel = null;
  }

  private set(patch: Partial<ViewerModel>): void {
    this.model = { ...this.model, ...patch };
    this.host.requestUpdate();
  }
}

/** Follows a lot through the relay this page was served from (`/v/<lot>`), reconnecting by itself. */
export class RelayViewerController implements ReactiveController {
  model: ViewerModel = INITIAL;
  private sub: ViewerSubscription | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly relayUrl: string,
    private readonly lot: string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.sub = watchLot({
      url: this.relayUrl,
      lot: this.lot,
      WebSocket,
      onChange: (v) => {
        this.model = fromRelayView(v);
        this.host.requestUpdate();
      },
    });
  }

  hostDisconnected(): void {
    this.sub?.close();
    this.sub = null;
  }
}
