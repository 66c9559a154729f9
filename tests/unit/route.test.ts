import { describe, expect, it } from 'vitest';
import { routeOf } from '../../src/app/route.ts';

describe('routeOf', () => {
  it.each([
    ['/', '', { kind: 'counter' }],
    ['/index.html', '#/somewhere', { kind: 'counter' }],
    ['/v/north', '', { kind: 'relay', lot: 'north' }],
    ['/v/north/', '', { kind: 'relay', lot: 'north' }],
    ['/v/North Lot', '', { kind: 'counter' }],
    ['/v/a/b', '', { kind: 'counter' }],
    ['/', '#/view', { kind: 'tab', lot: 'default' }],
    ['/', '#/view/east-2', { kind: 'tab', lot: 'east-2' }],
    ['/', '#/view/..%2F', { kind: 'counter' }],
  ])('%s %s', (path, hash, expected) => {
    expect(routeOf(path, hash)).toEqual(expected);
  });
});
