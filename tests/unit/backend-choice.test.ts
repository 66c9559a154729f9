import { describe, expect, it } from 'vitest';
import { backendFromQuery, isSoftwareRenderer, planBackends, type Capabilities } from '../../src/detector/backend-choice.ts';

const gpu: Capabilities = { webglRenderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)', webglVersion: 2, wasm: true };
const swiftshader: Capabilities = {
  webglRenderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
  webglVersion: 2,
  wasm: true,
};
const llvmpipe: Capabilities = { webglRenderer: 'llvmpipe (LLVM 15.0.6, 256 bits)', webglVersion: 2, wasm: true };
const noGl: Capabilities = { webglRenderer: null, webglVersion: 0, wasm: true };
const nothing: Capabilities = { webglRenderer: null, webglVersion: 0, wasm: false };
const apple: Capabilities = { webglRenderer: 'Apple GPU', webglVersion: 2, wasm: true };

describe('planBackends', () => {
  it.each([
    ['a real GPU gets WebGL', 'auto', gpu, ['webgl', 'wasm', 'cpu'], /hardware WebGL/],
    ['a phone GPU gets WebGL', 'auto', apple, ['webgl', 'wasm', 'cpu'], /Apple GPU/],
    ['SwiftShader gets WASM', 'auto', swiftshader, ['wasm', 'webgl', 'cpu'], /software-rendered \(SwiftShader\)/],
    ['llvmpipe gets WASM', 'auto', llvmpipe, ['wasm', 'webgl', 'cpu'], /llvmpipe/],
    ['no WebGL gets WASM', 'auto', noGl, ['wasm', 'cpu'], /not available/],
    ['nothing gets CPU', 'auto', nothing, ['cpu'], /neither/],
    ['an override wins even against the advice', 'webgl', swiftshader, ['webgl', 'wasm', 'cpu'], /settings/],
    ['an impossible override falls back and says so', 'webgl', noGl, ['wasm', 'cpu'], /not available/],
    ['cpu override', 'cpu', gpu, ['cpu', 'webgl', 'wasm'], /settings/],
  ] as const)('%s', (_n, pref, caps, order, reason) => {
    const plan = planBackends(pref, caps);
    expect(plan.order).toEqual(order);
    expect(plan.reason).toMatch(reason);
  });
});

describe('helpers', () => {
  it.each([
    ['Google SwiftShader', true],
    ['llvmpipe (LLVM 12)', true],
    ['Microsoft Basic Render Driver', true],
    ['Mali-G78', false],
    ['Adreno (TM) 650', false],
  ])('isSoftwareRenderer(%s) = %s', (r, expected) => expect(isSoftwareRenderer(r)).toBe(expected));
  it.each([
    ['?backend=wasm', 'wasm'],
    ['?x=1&backend=webgl', 'webgl'],
    ['?backend=cuda', null],
    ['', null],
  ])('backendFromQuery(%s)', (q, expected) => expect(backendFromQuery(q)).toBe(expected));
});
