// What a viewer shows, from a relay subscription or the counting tab's messages: live, paused (and why), stopped.
import { describe, expect, it } from 'vitest';
import type { CounterStatus, PublishedState } from '../../src/share/protocol.ts';
import type { ViewerView } from '../../src/share/relay-client.ts';
import { fromRelayView, fromTabMessage, INITIAL_VIEWER_MODEL, pauseText, viewerStatusLine } from '../../src/share/viewer-model.ts';

const since = '2025-08-07T14:21:00.000Z';
const status = (state: CounterStatus['state'], reason: string | null = null): CounterStatus => ({ state, reason, since });
const state = (s?: CounterStatus): PublishedState => ({
  total_slots: 1,
  occupied_slots: 0,
  available_slots: 1,
  last_updated: since,
  slots: [],
  ...(s ? { status: s } : {}),
});
const view = (o: Partial<ViewerView>): ViewerView => ({
  status: 'live',
  state: state(),
  layout: null,
  receivedAt: since,
  publisherOnline: true,
  offlineSince: null,
  counter: null,
  error: null,
  ...o,
});

describe('fromRelayView', () => {
  it('a counter online is live while it counts (or does not say), paused or stopped when it says so', () => {
    expect(fromRelayView(view({})).status).toBe('live');
    expect(fromRelayView(view({ counter: status('counting') })).status).toBe('live');
    expect(fromRelayView(view({ counter: status('paused', 'page-hidden') })).status).toBe('paused');
    const stopped = fromRelayView(view({ counter: status('stopped') }));
    expect(stopped).toMatchObject({ status: 'stopped', offlineSince: since });
    expect(viewerStatusLine(stopped)).toMatchObject({ key: 'stopped', tone: 'stopped' });
  });

  it('a counter whose camera moved shows the warning line, as on the counter', () => {
    const moved = fromRelayView(view({ counter: status('paused', 'camera-moved') }));
    expect(viewerStatusLine(moved)).toEqual({ key: 'camera-moved', tone: 'warning', text: 'the camera moved: check the slots' });
    expect(viewerStatusLine(fromRelayView(view({ counter: status('paused', 'page-hidden') })))).toMatchObject({ tone: 'paused' });
  });

  it('offline and unreachable win over what the counter last said', () => {
    expect(fromRelayView(view({ status: 'offline', counter: status('counting'), offlineSince: since })).status).toBe('offline');
    expect(fromRelayView(view({ status: 'unreachable', counter: status('counting') })).status).toBe('unreachable');
  });
});

describe('fromTabMessage', () => {
  it('follows the counting tab: its status when it sends one, else its counting flag', () => {
    const m = INITIAL_VIEWER_MODEL;
    expect(fromTabMessage(m, { type: 'state', state: state(), counting: true }).status).toBe('live');
    expect(fromTabMessage(m, { type: 'state', state: state(), counting: false }).status).toBe('paused');
    expect(fromTabMessage(m, { type: 'state', state: state(status('paused', 'camera-lost')), counting: false })).toMatchObject({
      status: 'paused',
      counter: { reason: 'camera-lost' },
    });
    expect(fromTabMessage(m, { type: 'state', state: state(status('stopped')), counting: false }).status).toBe('stopped');
    expect(fromTabMessage(m, { type: 'stopped', at: since })).toMatchObject({ status: 'waiting', offlineSince: since });
    expect(fromTabMessage(m, { type: 'hello' })).toBe(m);
  });
});

describe('pauseText', () => {
  it('says known reasons in words and shows others as they are', () => {
    expect(pauseText('page-hidden')).toBe('the app is in the background');
    expect(pauseText('camera-moved')).toBe('the camera moved: check the slots');
    expect(pauseText('lens-fogged')).toBe('lens fogged');
    expect(pauseText(null)).toMatch(/not analysing/);
  });
});
