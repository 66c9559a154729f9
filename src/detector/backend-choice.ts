export type BackendName = 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgl', 'wasm', 'cpu'];

export interface Capabilities {
  /** The UNMASKED renderer string of a WebGL context, '' when unknown, null when WebGL is missing. */
  readonly webglRenderer: string | null;
  readonly webglVersion: 0 | 1 | 2;
  readonly wasm: boolean;
}

export interface BackendPlan {
  /** Backends to try in order; the first that initialises wins. */
  readonly order: readonly BackendName[];
  /** Why the first one was chosen, for the UI. */
  readonly reason: string;
}

// Software rasterisers run shaders on the CPU; TF.js on them is far slower than WASM (measured: 300x300 conv2d
// ~280 ms on SwiftShader WebGL vs ~18 ms on WASM).
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen|microsoft basic/i;

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
}

/** Picks the detection backend: WebGL on a real GPU, WASM when WebGL is missing or software-rendered, CPU last. */
export function planBackends(pref: BackendPreference, caps: Capabilities): BackendPlan {
  const fallbacks = (first: BackendName): BackendName[] =>
    [first, ...(['webgl', 'wasm', 'cpu'] as const).filter((b) => b !== first)].filter(
      (b) => (b !== 'webgl' || caps.webglRenderer !== null) && (b !== 'wasm' || caps.wasm),
    );
  if (pref !== 'auto') {
    const order = fallbacks(pref);
    const reason = order[0] === pref ? `chosen in settings` : `${pref} is not available here`;
    return { order: order.length ? order : ['cpu'], reason };
  }
  if (caps.webglRenderer === null) {
    return caps.wasm
      ? { order: ['wasm', 'cpu'], reason: 'WebGL is not available' }
      : { order: ['cpu'], reason: 'neither WebGL nor WebAssembly is available' };
  }
  if (isSoftwareRenderer(caps.webglRenderer) && caps.wasm) {
    return { order: ['wasm', 'webgl', 'cpu'], reason: `WebGL is software-rendered (${shortRenderer(caps.webglRenderer)})` };
  }
  const gpu = caps.webglRenderer ? shortRenderer(caps.webglRenderer) : 'GPU';
  return { order: fallbacks('webgl'), reason: `hardware WebGL (${gpu})` };
}

function shortRenderer(r: string): string {
  const m = SOFTWARE_RENDERER.exec(r);
  if (m) return m[0];
  return r.length > 60 ? `${r.slice(0, 57)}…` : r;
}

/** Reads `?backend=wasm` (and the like) from a URL query; anything else means no override. */
export function backendFromQuery(search: string): BackendPreference | null {
  const v = new URLSearchParams(search).get('backend');
  return v && (BACKEND_PREFERENCES as readonly string[]).includes(v) ? (v as BackendPreference) : null;
}
