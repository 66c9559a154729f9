// What the counter says when a relay cannot be used: each usual case in its own words, with what to try.
import { describe, expect, it } from 'vitest';
import { checkRelay, createLot, type FetchLike } from '../../src/share/relay-client.ts';

const answer = (status: number, body: unknown): FetchLike => async () => ({
  status,
  json: async () => (typeof body === 'string' ? JSON.parse(body) : body),
});
const throws: FetchLike = async () => {
  throw new TypeError('Failed to fetch');
};

describe('relay problems', () => {
  it('an address that is not one, or an http relay from an https page', async () => {
    expect(await createLot('relay.local', null, throws)).toMatchObject({ problem: { kind: 'bad-address' } });
    expect(await createLot('ftp://relay.local', null, throws)).toMatchObject({ problem: { kind: 'bad-address' } });
    const mixed = await createLot('http://relay.example:8080', null, throws, null, { pageUrl: 'https://app.example/' });
    expect(mixed).toMatchObject({ problem: { kind: 'mixed-content', advice: expect.stringContaining('HTTPS') } });
    // Loopback is allowed from https pages.
    expect(await createLot('http://127.0.0.1:8080', null, throws, null, { pageUrl: 'https://app.example/' })).toMatchObject({ problem: { kind: 'unreachable' } });
  });

  it('nothing answers (refused, no such host, or a certificate this device does not trust), or CORS', async () => {
    const down = await createLot('https://relay.example', null, throws, null, { probe: async () => false });
    expect(down).toMatchObject({ error: 'Nothing answered at https://relay.example', problem: { kind: 'unreachable', advice: expect.stringContaining('certificate') } });
    const cors = await createLot('https://relay.example', null, throws, null, { pageUrl: 'https://app.example/x', probe: async () => true });
    expect(cors).toMatchObject({ problem: { kind: 'cors', advice: expect.stringContaining('https://app.example') } });
    expect(JSON.stringify(cors)).not.toContain('Failed to fetch');
  });

  it('something else answers: a 404 page, or a server that is not a relay', async () => {
    const html: FetchLike = async () => ({ status: 404, json: async () => JSON.parse('<!doctype html>') });
    expect(await createLot('http://127.0.0.1:5173', null, html)).toMatchObject({ problem: { kind: 'not-found' } });
    expect(await createLot('http://127.0.0.1:5173', null, answer(200, { hello: 1 }))).toMatchObject({ problem: { kind: 'not-a-relay' } });
    expect(await checkRelay('http://127.0.0.1:5173', answer(200, { hello: 1 }))).toMatchObject({ problem: { kind: 'not-a-relay' } });
  });

  it('the relay says no, or fails: its reason, and advice for the usual codes', async () => {
    const taken = await createLot('http://r', 'north', answer(409, { error: 'lot_exists', message: 'lot "north" already exists' }));
    expect(taken).toMatchObject({ problem: { kind: 'refused', message: 'The relay said no: lot "north" already exists' } });
    const broken = await createLot('http://r', null, answer(500, { error: 'internal', message: 'disk full' }));
    expect(broken).toMatchObject({ problem: { kind: 'server-error', message: expect.stringContaining('disk full') } });
  });

  it('a relay that answers: ok', async () => {
    expect(await checkRelay('http://r', answer(200, { ok: true }))).toEqual({ ok: true, value: true });
  });
});
