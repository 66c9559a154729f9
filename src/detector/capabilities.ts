import type { Capabilities } from './backend-choice.ts';

/** Probes, in the context that will run the model (the worker), what WebGL and WebAssembly offer. */
export function probeCapabilities(): Capabilities {
  return { ...probeWebgl(), wasm: typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function' };
}

function probeWebgl(): Pick<Capabilities, 'webglRenderer' | 'webglVersion'> {
  if (typeof OffscreenCanvas === 'undefined') return { webglRenderer: null, webglVersion: 0 };
  for (const [kind, version] of [
    ['webgl2', 2],
    ['webgl', 1],
  ] as const) {
    let gl: WebGLRenderingContext | WebGL2RenderingContext | null = null;
    try {
      gl = new OffscreenCanvas(1, 1).getContext(kind) as WebGLRenderingContext | WebGL2RenderingContext | null;
    } catch {
      gl = null;
    }
    if (!gl) continue;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { webglRenderer: renderer, webglVersion: version };
  }
  return { webglRenderer: null, webglVersion: 0 };
}
