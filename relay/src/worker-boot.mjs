// Starts a relay worker thread from its TypeScript source. Node 20 does not carry the parent's `--import tsx` into
// worker threads, so the worker registers tsx itself; a module that is already JavaScript is imported as it is.
import { workerData } from 'node:worker_threads';

const { module } = workerData;
if (module.endsWith('.ts')) {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(module, import.meta.url);
} else {
  await import(module);
}
