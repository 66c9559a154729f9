// Relay settings from flags and environment. Pure: argv and env are arguments, nothing is read here.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { LOT_ID_PATTERN, LIMITS, type Parsed } from '../../src/share/protocol.ts';

export interface RelayConfig {
  port: number;
  host: string;
  /** The lot served at `GET /metadata` and `/ws`. */
  lot: string;
  dataDir: string;
  /** A publish token for the default lot given at start (scripted setups); never logged. */
  token: string | null;
  dist: string;
  tls: { cert: string; key: string } | null;
  /** An HTTP-only publisher counts as offline this long after its last state. */
  offlineAfterMs: number;
  pingIntervalMs: number;
  maxLots: number;
  maxConnections: number;
  /** Publish lots to an MQTT broker (`--mqtt URL`, env LOTWATCH_MQTT_URL); null: off. */
  mqtt: MqttConfig | null;
  /** Webhooks may target loopback and private addresses (off: a lot owner must not reach into the relay's network). */
  allowPrivateWebhooks: boolean;
  /** Open WebSockets from one client address. */
  maxConnectionsPerAddress: number;
  /** Reverse proxies whose `X-Forwarded-For` names the client (for per-address limits). */
  trustedProxies: string[];
  /** The operator's token: creates lots whatever `lotCreation` says, and deletes any lot; never logged. */
  operatorToken: string | null;
  /**
   * Who may create lots with `POST /lots`: anyone (within a per-address quota), or only the operator. Open by default
   * only on a loopback address with no proxy in front.
   */
  lotCreation: 'open' | 'operator';
  /** A lot never published to is removed this long after it was created. */
  unpublishedTtlMs: number;
  /** Origins besides the relay's own whose pages may create lots, publish and delete (`https://host:port`). */
  allowedOrigins: string[];
  /** Make an existing database file with no lotwatch schema a new, empty store (otherwise the relay refuses it). */
  initDb: boolean;
  /** SQLite `synchronous`: `full` loses no acknowledged state on power loss, at some cost per write. */
  sqliteSynchronous: 'normal' | 'full';
  /** PostgreSQL instead of the SQLite file: several relays then share lots. Holds a password: never logged. */
  databaseUrl: string | null;
  /** Redis for fan-out, presence and rate limits between relays (needs `databaseUrl`). Never logged. */
  redisUrl: string | null;
}

/** 127.0.0.0/8, ::1 and localhost: nobody else can reach the relay. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface MqttConfig {
  url: string;
  /** From LOTWATCH_MQTT_USERNAME / LOTWATCH_MQTT_PASSWORD (or the URL); never logged. */
  username: string | null;
  password: string | null;
  prefix: string;
  discoveryPrefix: string;
  /** One Home Assistant binary_sensor per slot. */
  slots: boolean;
}

export const DEFAULT_CONFIG: RelayConfig = {
  port: 8080,
  host: '127.0.0.1',
  lot: 'default',
  dataDir: './data',
  token: null,
  dist: 'dist',
  tls: null,
  offlineAfterMs: 30_000,
  pingIntervalMs: 30_000,
  maxLots: 1_000,
  maxConnections: 10_000,
  mqtt: null,
  allowPrivateWebhooks: false,
  maxConnectionsPerAddress: 100,
  trustedProxies: [],
  operatorToken: null,
  lotCreation: 'open',
  unpublishedTtlMs: 24 * 3_600_000,
  allowedOrigins: [],
  initDb: false,
  sqliteSynchronous: 'normal',
  databaseUrl: null,
  redisUrl: null,
};

/** Shortest token accepted from `--token` / `LOTWATCH_PUBLISH_TOKEN`: anything shorter is guessable. */
export const MIN_TOKEN_LENGTH = 16;

export const USAGE = `lotwatch relay: serves the app, the original /metadata and /ws API, and live lots.

Usage: npm run relay -- [options]

  --port N              port (env PORT; default 8080; 0 = any free port)
  --host ADDR           address to listen on (default 127.0.0.1; 0.0.0.0 for the LAN)
  --lot ID              lot served at GET /metadata and /ws (default "default")
  --data-dir DIR        where lots are kept (env LOTWATCH_DATA_DIR; default ./data)
  --init-db             make an existing but empty (or foreign) database file a new store; without it the relay
                        refuses such a file rather than start with every lot gone
  --sqlite-synchronous normal|full  full: no acknowledged state is lost on power loss (slower writes;
                        env LOTWATCH_SQLITE_SYNCHRONOUS; default normal)
  --token TOKEN         publish token for the default lot (env LOTWATCH_PUBLISH_TOKEN; env preferred,
                        flags are visible to other users in the process list)
  --operator-token TOKEN  creates lots (POST /lots) and deletes any lot (env LOTWATCH_OPERATOR_TOKEN, preferred)
  --lot-creation open|operator  who may create lots: anyone (10 per address per hour) or only the operator
                        (default: open on a loopback --host without --trust-proxy, operator otherwise)
  --allow-origin ORIGINS  comma-separated origins (https://host:port) whose pages may create lots, publish and
                        delete, besides the relay's own (env LOTWATCH_ALLOWED_ORIGINS); reads are open to all
  --unpublished-ttl HOURS  a lot nobody ever published to is removed this long after its creation (default 24)
  --dist DIR            built app to serve (default dist)
  --cert FILE --key FILE  serve HTTPS/WSS (phones grant the camera only on HTTPS or localhost)
  --offline-after SEC   an HTTP-only publisher is offline this long after its last state (default 30)
  --ping-interval SEC   WebSocket heartbeat; silent peers are dropped after two (default 30)
  --max-lots N          lots that may exist (default 1000)
  --max-connections N   open WebSockets (default 10000; a tenth of them is kept for publishers)
  --max-connections-per-address N  open WebSockets from one client address (default 100)
  --trust-proxy ADDRS   comma-separated addresses of reverse proxies whose X-Forwarded-For names the client
                        (env LOTWATCH_TRUST_PROXY; without it, clients behind a proxy share its limits)
  --mqtt URL            publish lots to an MQTT broker, e.g. mqtt://host:1883 (env LOTWATCH_MQTT_URL;
                        credentials from LOTWATCH_MQTT_USERNAME and LOTWATCH_MQTT_PASSWORD)
  --mqtt-prefix P       topic prefix (env LOTWATCH_MQTT_PREFIX; default lotwatch)
  --mqtt-discovery-prefix P  Home Assistant discovery prefix (default homeassistant)
  --mqtt-slots          also one Home Assistant binary_sensor per slot (off: big lots)
  --allow-private-webhooks  let webhooks target loopback and private addresses (env
                        LOTWATCH_ALLOW_PRIVATE_WEBHOOKS=1); refused by default
  --database-url URL    PostgreSQL (postgres://user:pass@host/db) instead of the SQLite file, so several relays
                        share lots (env LOTWATCH_DATABASE_URL, preferred: it holds a password)
  --redis-url URL       Redis (redis://host:6379) for fan-out, presence and rate limits between relays; needs
                        --database-url (env LOTWATCH_REDIS_URL)
  --help                this text
`;

export type ConfigResult = Parsed<RelayConfig> | { ok: true; help: true };

const intIn = (name: string, raw: string, min: number, max: number): number => {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
};

/** An MQTT topic prefix: one or more levels, no wildcards, no leading or trailing slash. */
const TOPIC_PREFIX = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

function mqttConfig(
  values: { mqtt?: string; 'mqtt-prefix'?: string; 'mqtt-discovery-prefix'?: string; 'mqtt-slots'?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): MqttConfig | null {
  const url = values.mqtt ?? (env.LOTWATCH_MQTT_URL || null);
  if (url === null) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--mqtt must be a URL such as mqtt://host:1883, got "${url.replace(/\/\/[^@/]*@/, '//***@')}"`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(u.protocol)) throw new Error('--mqtt must start with mqtt://, mqtts://, ws:// or wss://');
  const prefix = values['mqtt-prefix'] ?? (env.LOTWATCH_MQTT_PREFIX || 'lotwatch');
  const discoveryPrefix = values['mqtt-discovery-prefix'] ?? (env.LOTWATCH_MQTT_DISCOVERY_PREFIX || 'homeassistant');
  for (const [flag, p] of [['--mqtt-prefix', prefix], ['--mqtt-discovery-prefix', discoveryPrefix]]) {
    if (!TOPIC_PREFIX.test(p!)) throw new Error(`${flag} must be topic levels of A-Z a-z 0-9 _ - separated by /, got "${p}"`);
  }
  return {
    url,
    username: env.LOTWATCH_MQTT_USERNAME || null,
    password: env.LOTWATCH_MQTT_PASSWORD || null,
    prefix,
    discoveryPrefix,
    slots: values['mqtt-slots'] === true,
  };
}

const tokenLengthOk = (t: string) => t.length >= MIN_TOKEN_LENGTH && t.length <= LIMITS.maxTokenLength;

/** `a,b,c` → addresses, each an IPv4 or IPv6 address. */
function addressList(name: string, raw: string): string[] {
  const list = raw.split(',').map((a) => a.trim()).filter((a) => a !== '');
  for (const a of list) if (isIP(a) === 0) throw new Error(`${name}: "${a.slice(0, 64)}" is not an IP address`);
  return list;
}

/** `https://a.example, http://b:8080` → origins as browsers send them. */
function originList(raw: string): string[] {
  return raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '')
    .map((o) => {
      let u: URL | null = null;
      try {
        u = new URL(o);
      } catch {
        // reported below
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== o.replace(/\/$/, '').toLowerCase()) {
        throw new Error(`--allow-origin: "${o.slice(0, 100)}" is not an origin such as https://example.org:8443`);
      }
      return u.origin;
    });
}

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        lot: { type: 'string' },
        'data-dir': { type: 'string' },
        token: { type: 'string' },
        dist: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'offline-after': { type: 'string' },
        'ping-interval': { type: 'string' },
        'max-lots': { type: 'string' },
        'max-connections': { type: 'string' },
        mqtt: { type: 'string' },
        'mqtt-prefix': { type: 'string' },
        'mqtt-discovery-prefix': { type: 'string' },
        'mqtt-slots': { type: 'boolean' },
        'allow-private-webhooks': { type: 'boolean' },
        'max-connections-per-address': { type: 'string' },
        'trust-proxy': { type: 'string' },
        'operator-token': { type: 'string' },
        'lot-creation': { type: 'string' },
        'unpublished-ttl': { type: 'string' },
        'allow-origin': { type: 'string' },
        'init-db': { type: 'boolean' },
        'sqlite-synchronous': { type: 'string' },
        'database-url': { type: 'string' },
        'redis-url': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) return { ok: true, help: true };
    const d = DEFAULT_CONFIG;
    const portRaw = values.port ?? env.PORT;
    const lot = values.lot ?? d.lot;
    if (!LOT_ID_PATTERN.test(lot)) throw new Error(`--lot must be 1 to 64 characters a-z 0-9 - _, got "${lot}"`);
    const token = values.token ?? (env.LOTWATCH_PUBLISH_TOKEN || null);
    // Token values themselves are never echoed.
    if (token !== null && !tokenLengthOk(token)) throw new Error(`the publish token must be ${MIN_TOKEN_LENGTH} to ${LIMITS.maxTokenLength} characters`);
    const operatorToken = values['operator-token'] ?? (env.LOTWATCH_OPERATOR_TOKEN || null);
    if (operatorToken !== null && !tokenLengthOk(operatorToken)) {
      throw new Error(`the operator token must be ${MIN_TOKEN_LENGTH} to ${LIMITS.maxTokenLength} characters`);
    }
    if ((values.cert === undefined) !== (values.key === undefined)) throw new Error('--cert and --key go together');
    const host = values.host ?? d.host;
    if (host.trim() === '') throw new Error('--host must not be empty');
    const trustedProxies = addressList('--trust-proxy', values['trust-proxy'] ?? env.LOTWATCH_TRUST_PROXY ?? '');
    const synchronous = values['sqlite-synchronous'] ?? (env.LOTWATCH_SQLITE_SYNCHRONOUS || 'normal');
    if (synchronous !== 'normal' && synchronous !== 'full') throw new Error('--sqlite-synchronous must be normal or full');
    const creation = values['lot-creation'];
    if (creation !== undefined && creation !== 'open' && creation !== 'operator') throw new Error('--lot-creation must be open or operator');
    const databaseUrl = values['database-url'] ?? (env.LOTWATCH_DATABASE_URL || null);
    const redisUrl = values['redis-url'] ?? (env.LOTWATCH_REDIS_URL || null);
    // The URLs hold passwords: errors name the scheme expected, never the value.
    if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('the database URL must start with postgres:// or postgresql://');
    if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) throw new Error('the Redis URL must start with redis:// or rediss://');
    // Relays sharing Redis but each with its own SQLite file would each hold different lots.
    if (redisUrl !== null && databaseUrl === null) throw new Error('--redis-url needs --database-url: relays that share fan-out must share lots');
    return {
      ok: true,
      value: {
        port: portRaw === undefined || portRaw === '' ? d.port : intIn('port', portRaw, 0, 65535),
        host,
        lot,
        dataDir: values['data-dir'] ?? (env.LOTWATCH_DATA_DIR || d.dataDir),
        token,
        dist: values.dist ?? d.dist,
        tls: values.cert !== undefined && values.key !== undefined ? { cert: values.cert, key: values.key } : null,
        offlineAfterMs:
          values['offline-after'] === undefined ? d.offlineAfterMs : intIn('--offline-after', values['offline-after'], 1, 86_400) * 1000,
        pingIntervalMs:
          values['ping-interval'] === undefined ? d.pingIntervalMs : intIn('--ping-interval', values['ping-interval'], 1, 3_600) * 1000,
        maxLots: values['max-lots'] === undefined ? d.maxLots : intIn('--max-lots', values['max-lots'], 1, 1_000_000),
        maxConnections:
          values['max-connections'] === undefined ? d.maxConnections : intIn('--max-connections', values['max-connections'], 1, 1_000_000),
        mqtt: mqttConfig(values, env),
        allowPrivateWebhooks: values['allow-private-webhooks'] === true || /^(1|true|yes)$/i.test(env.LOTWATCH_ALLOW_PRIVATE_WEBHOOKS ?? ''),
        maxConnectionsPerAddress:
          values['max-connections-per-address'] === undefined
            ? d.maxConnectionsPerAddress
            : intIn('--max-connections-per-address', values['max-connections-per-address'], 1, 1_000_000),
        trustedProxies,
        operatorToken,
        initDb: values['init-db'] ?? false,
        sqliteSynchronous: synchronous,
        allowedOrigins: originList(values['allow-origin'] ?? env.LOTWATCH_ALLOWED_ORIGINS ?? ''),
        lotCreation: creation ?? (isLoopback(host) && trustedProxies.length === 0 ? 'open' : 'operator'),
        unpublishedTtlMs:
          values['unpublished-ttl'] === undefined ? d.unpublishedTtlMs : intIn('--unpublished-ttl', values['unpublished-ttl'], 1, 100_000) * 3_600_000,
        databaseUrl,
        redisUrl,
      },
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
