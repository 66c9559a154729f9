// The detector notices when the GPU takes its WebGL context away, in real Chromium (WebGL is SwiftShader here):
// TF.js's WebGL backend is started the way the worker starts it, then too many live contexts make Chromium drop the
// oldest, TF.js's own. The whole recovery (a fresh worker, the model loaded again) is the e2e test
// "a lost WebGL context reloads the detector by itself" (LOTWATCH_E2E_SLOW=1).
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { initBackend, watchWebglContext } from '../../src/detector/tf-backends.ts';

it('reports the loss of the WebGL backend\'s context once', async () => {
  const info = await initBackend({ order: ['webgl'], reason: 'test' });
  expect(info.backend).toBe('webgl');
  // Runs a kernel, so the backend's context is really in use.
  expect(Array.from(tf.tidy(() => tf.add(tf.ones([2]), 1)).dataSync())).toEqual([2, 2]);

  let calls = 0;
  const lost = new Promise<void>((resolve) =>
    watchWebglContext(() => {
      calls++;
      resolve();
    }),
  );
  const hog: unknown[] = [];
  for (let i = 0; i < 40; i++) hog.push(document.createElement('canvas').getContext('webgl2'));
  await lost;
  await new Promise((r) => setTimeout(r, 200));
  expect(calls).toBe(1);
  expect(hog.length).toBe(40);
});

it('does nothing on a backend without a WebGL context, even when WebGL contexts are lost around it', async () => {
  const info = await initBackend({ order: ['cpu'], reason: 'test' });
  expect(info.backend).toBe('cpu');
  let calls = 0;
  watchWebglContext(() => calls++);
  // The page's own oldest context is dropped once too many are live: that loss is not the detector's.
  const first = document.createElement('canvas');
  const firstLost = new Promise<void>((resolve) => first.addEventListener('webglcontextlost', () => resolve(), { once: true }));
  const hog: unknown[] = [first.getContext('webgl2')];
  for (let i = 0; i < 40; i++) hog.push(document.createElement('canvas').getContext('webgl2'));
  await firstLost;
  expect(calls).toBe(0);
  // The CPU backend keeps computing.
  expect(Array.from(tf.tidy(() => tf.add(tf.ones([2]), 1)).dataSync())).toEqual([2, 2]);
});
