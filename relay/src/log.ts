// The relay's only logger. Callers pass messages that never contain a token; there is no request/body logging.
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(`[relay] ${m}`),
  warn: (m) => console.warn(`[relay] warning: ${m}`),
  error: (m) => console.error(`[relay] error: ${m}`),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
