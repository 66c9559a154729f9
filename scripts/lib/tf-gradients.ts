// Registers TF.js's gradient functions for training in Node. The CommonJS build Node loads has no gradients; the ESM
// build has them, with extensionless imports that the resolve hook completes. Both builds share the engine and the
// kernel and gradient registries (TF.js keeps them on the global object).
import { register } from 'node:module';

register('./tfjs-esm-resolve.mjs', import.meta.url);
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
