// Imported first by the commands: an error that reaches the top prints as one short line and exits 1. Without it,
// the WASM backend's own uncaught-exception handler rethrows from its minified glue, and Node prints that whole line.
const short = (e: unknown): string => {
  const msg = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return msg.length > 500 ? `${msg.slice(0, 500)}…` : msg;
};
const die = (e: unknown): never => {
  console.error(`error: ${short(e)}`);
  if (process.env.LOTWATCH_DEBUG && e instanceof Error && e.stack) console.error(e.stack.split('\n').slice(0, 12).join('\n'));
  process.exit(1);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

export const shortError = short;
