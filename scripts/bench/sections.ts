import { benchDetector } from './detector.ts';
import { benchSetup } from './setup.ts';
import { benchCadence, benchOfflineStart, benchTabs } from './pwa.ts';
import { benchHistory } from './history.ts';
import { benchSize } from './size.ts';
import { flag, runBenchScript } from './child.ts';

export type Section = (args: string[]) => Promise<unknown>;

export const sections: Record<string, Section> = {
  size: benchSize,
  detector: benchDetector,
  setup: benchSetup,
  cadence: benchCadence,
  'offline-start': benchOfflineStart,
  tabs: benchTabs,
  // One publisher at 10/s, 1,000 viewers, 30 s (`--relay-seconds N` to shorten).
  relay: async (args) => runBenchScript('bench-relay.ts', ['--seconds', flag(args, '--relay-seconds') ?? '30']),
  // /healthz and live-delivery latency while history queries run on a lot of 600 states × 1,000 slots.
  'relay-history': async () => runBenchScript('bench-relay-history.ts', []),
  // Full and patch-only evidence per 100-slot 1280x720 pucpr frame (`--lot DIR`: another labelled lot, as detector's).
  evidence: async (args) =>
    runBenchScript('bench-evidence.ts', [
      ...(flag(args, '--evidence-frames') ? ['--frames', flag(args, '--evidence-frames')!] : []),
      ...(flag(args, '--lot') ? ['--lot', flag(args, '--lot')!] : []),
    ]),
  history: benchHistory,
  // 100 lots at 1 state/s, 10,000 viewers over 3 relays behind nginx (PostgreSQL + Redis), 60 s; then a relay killed
  // at 30 s; then one relay alone (`--cluster-seconds N` to shorten). Needs PostgreSQL, Redis and nginx.
  cluster: async (args) => runBenchScript('bench-cluster.ts', ['--seconds', flag(args, '--cluster-seconds') ?? '60']),
};
