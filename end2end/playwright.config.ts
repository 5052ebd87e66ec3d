import { defineConfig, devices } from '@playwright/test';
import path from 'node:path';

// End-to-end tests for Tidings.
//
// Prerequisite: `cargo leptos build --release --precompress` has produced the server binary
// (../target/release/server, or under CARGO_TARGET_DIR) and ../target/site, with its assets
// named after their content and their brotli and gzip copies: the suite tests what users
// get, the first load's byte budget included (first-load.spec.ts). `scripts/test` does both;
// run `npx playwright test` here by hand only after such a build.
//
// The browser is Debian's Chromium (/usr/bin/chromium, installed by
// scripts/setup). Never run `npx playwright install`: this machine cannot
// download Playwright's own browser builds.

const HOST = '127.0.0.1';
const PORT = Number(process.env.E2E_PORT ?? 3100);
const ADDR = `${HOST}:${PORT}`;
const BASE_URL = `http://${ADDR}`;
// A second server with tight rate limits, for the specs that hit them (limits.spec.ts).
const LIMITED_ADDR = `${HOST}:${PORT + 1}`;
const LIMITED_ARGS = '--commands-per-user 3/h --login-per-account 2/h';
// Two instances on one fresh PostgreSQL database, for instances.spec.ts; the specs read
// their addresses from E2E_INSTANCE_A and E2E_INSTANCE_B (set below).
const INSTANCE_A = `${HOST}:${PORT + 2}`;
const INSTANCE_B = `${HOST}:${PORT + 3}`;
process.env.E2E_INSTANCE_A = `http://${INSTANCE_A}`;
process.env.E2E_INSTANCE_B = `http://${INSTANCE_B}`;
// The PostgreSQL server the tests use (scripts/test exports it; the default is the one
// these machines run).
const POSTGRES_URL =
  process.env.TIDINGS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Cargo's target folder: the repository's own, or CARGO_TARGET_DIR (relative to the repository
// root, as cargo reads it there). The site itself always goes to ../target/site.
const TARGET_DIR = path.resolve('..', process.env.CARGO_TARGET_DIR ?? 'target');
const SERVER_BIN = process.env.E2E_SERVER_BIN ?? path.join(TARGET_DIR, 'release', 'server');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const isCI = !!process.env.CI && process.env.CI !== 'false';

// Quote a string for a POSIX shell.
const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

// The server gets a fresh, empty data directory (and so a fresh SQLite file)
// on every run; the directory is removed when Playwright stops the server.
// Playwright signals the whole process group (SIGTERM, see gracefulShutdown);
// bash forwards nothing itself, it only waits and cleans up.
const serverScript = (addr: string, args: string): string => [
  'set -u',
  // Every run starts on its own fresh SQLite file, whatever the caller's
  // environment says.
  'unset DATABASE_URL TIDINGS_DATA_DIR TIDINGS_ADDR',
  'd="$(mktemp -d "${TMPDIR:-/tmp}/tidings-e2e.XXXXXX")"',
  `trap 'rm -rf "$d"' EXIT`,
  'echo "e2e data dir: $d"',
  `${sh(SERVER_BIN)} serve --addr ${addr} --data-dir "$d" ${args} &`,
  'pid=$!',
  `trap 'kill -TERM "$pid" 2>/dev/null' INT TERM`,
  'wait "$pid"; status=$?',
  // If a signal interrupted `wait`, wait once more for the server to exit.
  'wait "$pid" 2>/dev/null; exit "$status"',
].join('\n');

// Both instances on one new database, made with psql and dropped when Playwright stops
// them; each instance keeps its own (unused) data directory. They share the subscription
// secret, as instances must.
const instancesScript = (a: string, b: string): string => [
  'set -u',
  'unset DATABASE_URL TIDINGS_DATA_DIR TIDINGS_ADDR TIDINGS_PUSHER_SECRET',
  `admin=${sh(POSTGRES_URL)}`,
  'db="tidings_e2e_$(date +%s)_$$"',
  'psql "$admin" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \\"$db\\"" || exit 1',
  'url="${admin%/*}/$db"',
  'd="$(mktemp -d "${TMPDIR:-/tmp}/tidings-e2e.XXXXXX")"',
  'pids=""',
  'cleanup() { kill -TERM $pids 2>/dev/null; wait; rm -rf "$d"; psql "$admin" -qc "DROP DATABASE IF EXISTS \\"$db\\" WITH (FORCE)"; }',
  'trap cleanup EXIT',
  'trap "exit 143" INT TERM',
  'echo "e2e instances on $url"',
  ...[a, b].map((addr, i) => [
    `mkdir "$d/${i}"`,
    `${sh(SERVER_BIN)} serve --addr ${addr} --data-dir "$d/${i}" --database-url "$url" --pusher-secret e2e-instances &`,
    'pids="$pids $!"',
  ].join('\n')),
  // The first to end ends the other (through the EXIT trap).
  'wait -n; exit $?',
].join('\n');

const server = (addr: string, args: string) => ({
  command: `bash -c ${sh(serverScript(addr, args))}`,
  url: `http://${addr}/healthz`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: 'pipe' as const,
  stderr: 'pipe' as const,
  gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
  env: {
    LEPTOS_SITE_ROOT: '../target/site',
    LEPTOS_OUTPUT_NAME: 'tidings',
    LEPTOS_SITE_PKG_DIR: 'pkg',
    LEPTOS_SITE_ADDR: addr,
    LEPTOS_ENV: 'PROD',
    // The assets' names carry their hashes (hash.txt, beside the binary).
    LEPTOS_HASH_FILES: 'true',
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    // Every spec signs people up from 127.0.0.1; the default (10 a minute per address)
    // is for real clients. The limits themselves are tested at their edges in server/tests.
    TIDINGS_LOGIN_LIMIT_PER_ADDRESS: '1000/min',
  },
});

const chromiumArgs = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Chromium's sandbox refuses to run as root.
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  forbidOnly: isCI,
  retries: 0,
  workers: isCI ? 1 : 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [
    ['list'],
    // Read by scripts/test for its closing summary.
    ['json', { outputFile: 'test-results/results.json' }],
  ],
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: CHROMIUM,
          args: chromiumArgs,
        },
      },
    },
  ],
  webServer: [
    server(ADDR, ''),
    server(LIMITED_ADDR, LIMITED_ARGS),
    // Playwright waits for B's /healthz; the spec waits for A's too.
    { ...server(INSTANCE_B, ''), command: `bash -c ${sh(instancesScript(INSTANCE_A, INSTANCE_B))}` },
  ],
});
