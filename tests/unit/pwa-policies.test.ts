// The decisions behind the installed app, table by table: updates, the first visit's model load, the wake lock,
// camera retries, what a cadence means for latency, navigation fallback, storage and progress figures.
import { describe, expect, it } from 'vitest';
import { cameraRetryDelayMs, CAMERA_RETRY_CEILING_MS } from '../../src/camera/camera-retry.ts';
import { countingStatus, describeCounting, toStatusMetadata, type CountingInputs } from '../../src/occupancy/counting-status.ts';
import { beforeModelLoad, PRECACHE_STALL_MS } from '../../src/pwa/model-wait-policy.ts';
import { isShellNavigation } from '../../src/pwa/navigation-routes.ts';
import { PrecacheTally, progressFraction } from '../../src/pwa/precache-progress.ts';
import { formatBytes, summarizeStorage } from '../../src/pwa/storage-summary.ts';
import { parseFromServiceWorker } from '../../src/pwa/sw-messages.ts';
import { afterTakeover, decideUpdate, isUpdateCheckDue, UPDATE_CHECK_INTERVAL_MS } from '../../src/pwa/update-policy.ts';
import { nextWakeLockStep, type WakeLockSituation } from '../../src/pwa/wake-lock-policy.ts';
import { changeDelayMs, framePeriodMs } from '../../src/settings/cadence.ts';

describe('decideUpdate: only the user applies an update', () => {
  it.each([
    [false, 'undecided', 'none'],
    [false, 'now', 'none'],
    [true, 'undecided', 'offer'],
    [true, 'later', 'remind'],
    [true, 'now', 'apply'],
  ] as const)('waiting=%s, choice=%s → %s', (waiting, choice, action) => {
    expect(decideUpdate({ waiting, choice })).toBe(action);
  });
});

describe('afterTakeover: a new version took control of this page', () => {
  it.each([
    [true, true, 'reload'],
    [true, false, 'reload'],
    [false, false, 'reload'],
    [false, true, 'ask'],
  ] as const)('requested here=%s, counting=%s → %s', (requestedHere, counting, result) => {
    expect(afterTakeover({ requestedHere, counting })).toBe(result);
  });
});

describe('isUpdateCheckDue', () => {
  const base = { now: 10 * UPDATE_CHECK_INTERVAL_MS, lastCheck: 9 * UPDATE_CHECK_INTERVAL_MS, online: true, hidden: false };
  it.each([
    ['an hour after the last check, online and visible', base, true],
    ['sooner than an hour', { ...base, lastCheck: base.now - UPDATE_CHECK_INTERVAL_MS + 1 }, false],
    ['offline', { ...base, online: false }, false],
    ['hidden', { ...base, hidden: true }, false],
  ])('%s', (_n, s, due) => expect(isUpdateCheckDue(s)).toBe(due));
});

describe('beforeModelLoad: wait for the first install instead of downloading the model twice', () => {
  const s = { serviceWorker: true, controlled: false, installing: true, msSinceProgress: 0 };
  it.each([
    ['first install running', s, 'wait'],
    ['first install stalled', { ...s, msSinceProgress: PRECACHE_STALL_MS }, 'load'],
    ['already controlled (a later visit)', { ...s, controlled: true }, 'load'],
    ['no install running (hard reload)', { ...s, installing: false }, 'load'],
    ['no service worker', { ...s, serviceWorker: false }, 'load'],
  ])('%s → %s', (_n, situation, decision) => expect(beforeModelLoad(situation)).toBe(decision));
});

describe('nextWakeLockStep', () => {
  const s: WakeLockSituation = { wanted: true, hidden: false, held: false, pending: false, refused: false };
  it.each([
    ['counting, visible, not held → request', s, 'request'],
    ['already held → keep', { ...s, held: true }, 'keep'],
    ['a request under way → keep', { ...s, pending: true }, 'keep'],
    ['refused while visible → do not hammer', { ...s, refused: true }, 'keep'],
    ['hidden → wait for visibility', { ...s, hidden: true }, 'keep'],
    ['hidden while held → release', { ...s, hidden: true, held: true }, 'release'],
    ['stopped while held → release', { ...s, wanted: false, held: true }, 'release'],
    ['stopped, nothing held → keep', { ...s, wanted: false }, 'keep'],
  ] as const)('%s', (_n, situation, step) => expect(nextWakeLockStep(situation)).toBe(step));
});

describe('countingStatus: what the status bar and viewers are told', () => {
  const live: CountingInputs = { sourceOpen: true, cameraRecovering: false, detector: 'ready', detectorRestarting: false, pageHidden: false };
  it.each([
    ['counting', live, 'counting', null],
    ['page hidden', { ...live, pageHidden: true }, 'paused', 'page-hidden'],
    ['model loading', { ...live, detector: 'loading' }, 'paused', 'detector-loading'],
    ['model reloading after a lost context', { ...live, detector: 'loading', detectorRestarting: true }, 'paused', 'detector-restarting'],
    ['model failed', { ...live, detector: 'error' }, 'paused', 'detector-failed'],
    ['camera lost, reconnecting', { ...live, sourceOpen: false, cameraRecovering: true }, 'paused', 'camera-lost'],
    ['stopped by the user', { ...live, sourceOpen: false }, 'stopped', null],
    ['the camera moved: counts held until the slots are checked', { ...live, cameraMoved: true }, 'paused', 'camera-moved'],
    ['the camera moved while the model loads', { ...live, detector: 'loading', cameraMoved: true }, 'paused', 'camera-moved'],
    ['stopped after the camera moved', { ...live, sourceOpen: false, cameraMoved: true }, 'stopped', null],
  ] as const)('%s', (_n, inputs, state, reason) => expect(countingStatus(inputs)).toEqual({ state, reason }));

  it('says the camera moved as a warning, apart from the other pauses', () => {
    expect(describeCounting({ state: 'paused', reason: 'camera-moved' })).toEqual({
      key: 'camera-moved',
      tone: 'warning',
      text: 'the camera moved: check the slots',
    });
    expect(describeCounting({ state: 'paused', reason: 'page-hidden' })).toMatchObject({ key: 'paused', tone: 'paused' });
  });

  it('publishes state, reason and since as ISO time', () => {
    expect(toStatusMetadata({ state: 'paused', reason: 'page-hidden' }, Date.UTC(2026, 10, 28, 12))).toEqual({
      state: 'paused',
      reason: 'page-hidden',
      since: '2026-11-28T12:00:00.000Z',
    });
  });
});

describe('cameraRetryDelayMs', () => {
  it.each([
    [0, 2_000],
    [1, 5_000],
    [2, 10_000],
    [3, 30_000],
    [4, CAMERA_RETRY_CEILING_MS],
    [500, CAMERA_RETRY_CEILING_MS],
    [-1, 2_000],
  ])('attempt %i waits %i ms', (attempt, ms) => expect(cameraRetryDelayMs(attempt)).toBe(ms));
});

describe('changeDelayMs: how soon a change shows at a cadence, with the default hold (3 frames, 2 s)', () => {
  const hold = { holdFrames: 3, holdMs: 2000 };
  it.each([
    ['continuous, 100 ms frames: the 2 s rule decides', 0, 100, 2100],
    ['continuous, 400 ms frames', 0, 400, 2400],
    ['once a second: 3 frames and 2 s agree', 1000, 100, 3000],
    ['every 5 s: 3 frames decide', 5000, 100, 15000],
    ['a cadence faster than a frame takes runs at frame speed', 50, 400, 2400],
  ])('%s', (_n, cadenceMs, frameMs, ms) => expect(changeDelayMs({ cadenceMs, frameMs, ...hold })).toBe(ms));

  it('with no hold, the first frame that sees a change shows it', () => {
    expect(changeDelayMs({ cadenceMs: 1000, frameMs: 100, holdFrames: 0, holdMs: 0 })).toBe(1000);
  });

  it('a period is never shorter than a frame', () => {
    expect(framePeriodMs(0, 0)).toBe(1);
    expect(framePeriodMs(1000, 1500)).toBe(1500);
  });
});

describe('isShellNavigation: the relay API on the same origin never gets the app shell', () => {
  it.each([
    ['/', true],
    ['/?start=camera', true],
    ['/v/default', true],
    ['/v/north-lot?x=1', true],
    ['/metadata', false],
    ['/metadata?lot=default', false],
    ['/ws', false],
    ['/lots/default', false],
    ['/lots', false],
    ['/api/v1', false],
    ['/metadata-help', true],
    ['/lotsize', true],
  ])('%s → %s', (path, shell) => expect(isShellNavigation(path)).toBe(shell));
});

describe('PrecacheTally', () => {
  const entries = [
    { url: 'https://x/a', bytes: 100 },
    { url: 'https://x/b', bytes: 300 },
    { url: 'https://x/a', bytes: 0 },
  ];

  it('counts bytes as they stream, files as they land, and never more than a file holds', () => {
    const t = new PrecacheTally(entries);
    expect(t.progress).toEqual({ bytesDone: 0, bytesTotal: 400, filesDone: 0, filesTotal: 2 });
    t.addBytes('https://x/b', 150);
    t.addBytes('https://x/b', 500);
    t.addBytes('https://x/elsewhere', 999);
    expect(t.progress.bytesDone).toBe(300);
    t.finish('https://x/a');
    expect(t.progress).toEqual({ bytesDone: 400, bytesTotal: 400, filesDone: 1, filesTotal: 2 });
    expect(progressFraction(t.progress)).toBe(1);
  });

  it('falls back to files when sizes are unknown', () => {
    const t = new PrecacheTally([
      { url: 'u1', bytes: 0 },
      { url: 'u2', bytes: 0 },
    ]);
    t.finish('u1');
    expect(progressFraction(t.progress)).toBe(0.5);
    expect(progressFraction(new PrecacheTally([]).progress)).toBe(0);
  });
});

describe('parseFromServiceWorker', () => {
  const progress = { bytesDone: 1, bytesTotal: 2, filesDone: 0, filesTotal: 3 };
  it.each([
    ['a progress message', { type: 'precache-progress', installing: true, progress }, true],
    ['another library\'s message', { type: 'CACHE_UPDATED', payload: {} }, false],
    ['a negative count', { type: 'precache-progress', installing: true, progress: { ...progress, bytesDone: -1 } }, false],
    ['missing progress', { type: 'precache-progress', installing: false }, false],
    ['not an object', 'precache-progress', false],
    ['null', null, false],
  ])('%s', (_n, data, ok) => {
    const parsed = parseFromServiceWorker(data);
    expect(parsed !== null).toBe(ok);
    if (ok) expect(parsed).toEqual(data);
  });
});

describe('storage figures in words', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [19.3 * 1024 * 1024, '19 MB'],
    [2.5 * 1024 ** 3, '2.5 GB'],
    [-5, '–'],
  ])('formatBytes(%d) = %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it('offers to ask for persistence only when the browser said no', () => {
    expect(summarizeStorage({ usage: 1024, quota: 4096, persisted: false })).toMatchObject({
      used: '1.0 KB used of 4.0 KB available to this app',
      canAskToPersist: true,
    });
    expect(summarizeStorage({ usage: null, quota: null, persisted: null }).canAskToPersist).toBe(false);
    expect(summarizeStorage({ usage: 5, quota: null, persisted: true })).toMatchObject({ used: '5 B used', canAskToPersist: false });
  });
});
