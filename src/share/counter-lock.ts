/** Held while this tab counts a lot; `lost` resolves if another tab takes the lot over. */
export interface CounterLock {
  readonly lost: Promise<void>;
  release(): void;
}

/**
 * One counter per lot on a device, through the Web Locks API. Returns null when another tab holds the lot, unless
 * `takeOver` (then that tab is told, through its `lost`). Without Web Locks there is nothing to coordinate with.
 */
export function lockCounter(lot: string, takeOver = false): Promise<CounterLock | null> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return Promise.resolve({ lost: new Promise<void>(() => {}), release: () => {} });
  return new Promise((resolve) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let markLost!: () => void;
    const lost = new Promise<void>((r) => (markLost = r));
    const options: LockOptions = takeOver ? { steal: true } : { ifAvailable: true };
    locks
      .request(`lotwatch-counter:${lot}`, options, async (lock) => {
        if (!lock) {
          resolve(null);
          return;
        }
        resolve({ lost, release });
        await held;
      })
      // A lock taken over by another tab rejects here with an AbortError.
      .catch(() => markLost());
  });
}
