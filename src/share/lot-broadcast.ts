import { parseTabMessage, type TabMessage } from './protocol.ts';

/** The lot's BroadcastChannel between tabs and windows of this browser; incoming messages are validated. */
export class LotBroadcast {
  private readonly channel: BroadcastChannel | null;

  constructor(lot: string, onMessage: (m: TabMessage) => void) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`lotwatch:${lot}`) : null;
    if (this.channel) {
      this.channel.onmessage = (e: MessageEvent<unknown>) => {
        const m = parseTabMessage(e.data);
        if (m.ok) onMessage(m.value);
      };
    }
  }

  get available(): boolean {
    return this.channel !== null;
  }

  post(m: TabMessage): void {
    this.channel?.postMessage(m);
  }

  close(): void {
    this.channel?.close();
  }
}
