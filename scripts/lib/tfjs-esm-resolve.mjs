// A module-resolution hook for the training command only: tfjs-core's ESM build (dist/*.js) imports its own files
// without extensions, which bundlers accept and Node does not. Its gradient registrations live only there.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (!specifier.startsWith('.') || !context.parentURL?.includes('/@tensorflow/tfjs-core/dist/')) throw e;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
