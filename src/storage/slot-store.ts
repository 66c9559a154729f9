import type { Slot } from '../occupancy/types.ts';
import type { LotwatchDB, StoredSlot } from './db.ts';

/** A stored row as the app's slot: zone, kind and closure only when set (a standard, open slot in no zone has none). */
export function toSlot(r: StoredSlot): Slot {
  const slot: { -readonly [K in keyof Slot]: Slot[K] } = { id: r.id, name: r.name, polygon: r.polygon };
  if (r.zone !== null && r.zone !== undefined) slot.zone = r.zone;
  if (r.kind !== undefined && r.kind !== 'standard') slot.kind = r.kind;
  if (r.closed) slot.closed = r.closed;
  return slot;
}

/** The slot layout of one lot, kept in IndexedDB. */
export class SlotStore {
  constructor(
    private readonly db: LotwatchDB,
    readonly lotId: string,
  ) {}

  async list(): Promise<Slot[]> {
    const rows = await this.db.getAllFromIndex('slots', 'by-lot', this.lotId);
    return rows.sort((a, b) => a.order - b.order).map(toSlot);
  }

  /** Adds or updates one slot; a new slot goes after the others. */
  async put(slot: Slot): Promise<void> {
    const tx = this.db.transaction('slots', 'readwrite');
    const existing = await tx.store.get([this.lotId, slot.id]);
    const order = existing?.order ?? (await this.nextOrder(tx.store.index('by-lot')));
    await tx.store.put(this.row(slot, order));
    await tx.done;
  }

  async delete(id: string): Promise<void> {
    await this.db.delete('slots', [this.lotId, id]);
  }

  /** Replaces the whole layout in one transaction: an import either lands whole or not at all. */
  async replaceAll(slots: readonly Slot[]): Promise<void> {
    const rows = slots.map((s, i) => this.row(s, i));
    const tx = this.db.transaction('slots', 'readwrite');
    const pending: Promise<unknown>[] = [tx.done];
    try {
      // Every request goes out in this task and the transaction is told it is complete, so an edit followed at once
      // by a reload or a closed tab is stored (a read first left a window in which the page could go away).
      // Keys are [lot, id], and an array sorts after every string: this range is exactly the lot's rows.
      pending.push(tx.store.delete(IDBKeyRange.bound([this.lotId], [this.lotId, []])));
      // One by one: a row IndexedDB cannot clone throws synchronously, and the requests before it must be tracked.
      for (const r of rows) pending.push(tx.store.put(r));
      tx.commit();
      await Promise.all(pending);
    } catch (err) {
      // A row the store refuses must not leave the old layout half deleted.
      try {
        tx.abort();
      } catch {
        // Already aborted by IndexedDB itself.
      }
      await Promise.allSettled(pending);
      throw err;
    }
  }

  private row(slot: Slot, order: number): StoredSlot {
    return {
      lotId: this.lotId,
      id: slot.id,
      name: slot.name,
      polygon: slot.polygon.map(([x, y]) => [x, y] as const),
      order,
      updatedAt: Date.now(),
      zone: slot.zone ?? null,
      kind: slot.kind ?? 'standard',
      closed: slot.closed ? { reason: slot.closed.reason, until: slot.closed.until } : null,
    };
  }

  private async nextOrder(index: { getAll(query: string): Promise<StoredSlot[]> }): Promise<number> {
    const rows = await index.getAll(this.lotId);
    return rows.reduce((m, r) => Math.max(m, r.order + 1), 0);
  }
}
