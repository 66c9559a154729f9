import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName, BackendPlan } from './backend-choice.ts';

/** The backend a model runs on, and why (shown in the UI). */
export interface BackendInfo {
  readonly backend: BackendName;
  /** Why this backend, in words for the UI. */
  readonly reason: string;
  /** WASM only: whether SIMD and threads are in use. */
  readonly simd?: boolean;
  readonly threads?: boolean;
}

// TF.js's threaded WASM build starts its pthread workers from `factory.toString()` in a blob; once bundled, that
// source refers to names outside the function and every thread dies with "ReferenceError: e is not defined"
// (seen in Chromium with Vite 8). SIMD still works; threads stay off until the upstream package is bundle-safe.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

// The WASM binaries are served from our own origin (Vite emits them as assets), never from a CDN.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

/** Initialises the first backend of the plan that works and says which, with its WASM features. */
export async function initBackend(plan: BackendPlan): Promise<BackendInfo> {
  const failures: string[] = [];
  for (const name of plan.order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        const reason = name === plan.order[0] ? plan.reason : `${plan.reason}; fell back: ${failures.join(', ')}`;
        return { backend: name, reason, ...(await wasmFeatures(name)) };
      }
      failures.push(`${name} did not start`);
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start (${failures.join('; ')})`);
}

async function wasmFeatures(name: BackendName): Promise<Pick<BackendInfo, 'simd' | 'threads'>> {
  if (name !== 'wasm') return {};
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return { simd, threads };
}

/**
 * Calls `onLost` once if the WebGL backend's context is lost. TF.js only forgets the context then; its textures and
 * programs are gone, so the model has to be loaded again in a fresh worker.
 */
export function watchWebglContext(onLost: () => void): void {
  if (tf.getBackend() !== 'webgl') return;
  // A canvas in the page, an OffscreenCanvas in the worker; the WebWorker library's WebGL types omit `canvas`.
  const { canvas } = (tf.backend() as MathBackendWebGL).gpgpu.gl as unknown as { canvas: EventTarget };
  canvas.addEventListener('webglcontextlost', () => onLost(), { once: true });
}
