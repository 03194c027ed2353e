/**
 * The request path against the physical limit (issue 24): the built server, run as users run it
 * (`node packages/cli/dist/bin.js serve`, workers on, one JSON log line per request to a file),
 * loaded exactly as raw `node:http` (+ `pg`, a Pool of 10) baselines doing the least each request
 * needs, in one invocation, printing req/s, p50, p99 and the ratio to the baseline.
 *
 *   npm run build && npx tsx bench/http.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/http.ts
 *
 *   DATABASE_URL            the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres):
 *                           a scratch database `provisio_bench_http_<random>` is created on it and
 *                           dropped at the end; the raw baselines always read and write that one
 *   BENCH_SECONDS           measured seconds per case (default 10)
 *   BENCH_WARMUP_SECONDS    warm-up seconds per case, not counted (default 2)
 *   BENCH_CONNECTIONS       concurrent connections, one request in flight on each (default 64)
 *   BENCH_ROUNDS            rounds: every case runs once per round, baseline and server in turn (default 2;
 *                           0: only the statement counts and the profiles)
 *   BENCH_EMBEDDED=0        skip the embedded database (a temp PROVISIO_DATA_DIR) after PostgreSQL
 *   BENCH_SQL=0             skip counting the SQL statements per request (PostgreSQL only)
 *   BENCH_FLOOR=1           also GET /readyz (one `select 1`, no auth) and GET /api/v1/me (auth from
 *                           memory, no statement) against the raw PK SELECT: the floor under the GET
 *   BENCH_PROFILE=1         then the authenticated GET (limit on), /healthz and the POST load once more, each
 *                           against a server under `node --cpu-prof`, summarized by
 *                           bench/http-profile.ts (PostgreSQL only; the profiles are kept in the temp folder)
 *
 * The cases (each against its baseline, same connections, same warm-up and length):
 *   raw JSON                 GET /healthz, no database, no auth
 *   raw PK SELECT            GET /api/v1/subscriptions/{id} with a partner admin API key, rate limit
 *                            on (the default database limiter, a budget the bench never spends) and off
 *   raw INSERT               POST /api/v1/customers with a new X-Idempotency-Key per request (limit on)
 *   raw 50-row SELECT        GET /api/v1/customers?limit=50 (limit on)
 * The rate limits are per role, from PROVISIO_RATE_LIMIT_ADMIN/_MANAGER/_VIEWER (not /settings):
 * "100000000/minute" for "on", "off" for off. Load generator: bench/fixtures/http-load.ts, a
 * closed loop on undici in its own process. Targets (issue 24): GET with limits on >= 50% of the
 * raw rate and p99 <= 3x the raw p99; /healthz >= 50%; POST >= 25%. Misses are printed, not errors.
 * Beside each: the CPU per answer of the server process (`cpu`) and of the PostgreSQL backends
 * connected to the scratch database (`pg`, from /proc: the server must run on this machine), the two
 * that share the cores. The server's environment passes through (PROVISIO_DATABASE_PREPARE,
 * PROVISIO_DATABASE_POOL_SIZE: measure one against another).
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import type { LoadJob, LoadResult } from "./fixtures/http-load"
import { backendsCpuMs, backendsCpuSince, importCatalog, load, onConnection, ROOT, run, type Running, seed, type Seed, startProvisio, startRaw } from "./fixtures/http-servers"

const SERVER_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
const MEASURE_MS = 1000 * Math.max(1, Number(process.env["BENCH_SECONDS"] ?? 10))
const WARMUP_MS = 1000 * Math.max(0, Number(process.env["BENCH_WARMUP_SECONDS"] ?? 2))
const CONNECTIONS = Math.max(1, Number(process.env["BENCH_CONNECTIONS"] ?? 64))
const ROUNDS = Math.max(0, Number(process.env["BENCH_ROUNDS"] ?? 2))
const EMBEDDED = process.env["BENCH_EMBEDDED"] !== "0"
const COUNT_SQL = process.env["BENCH_SQL"] !== "0"
const PROFILE = process.env["BENCH_PROFILE"] === "1"
const PG_LOG = process.env["BENCH_PG_LOG"] ?? "/var/log/postgresql/postgresql-15-main.log"
const CUSTOMERS = 60
const LIMIT_ON = "100000000/minute"

const limits = (value: string) => ({
  PROVISIO_RATE_LIMIT_ADMIN: value,
  PROVISIO_RATE_LIMIT_MANAGER: value,
  PROVISIO_RATE_LIMIT_VIEWER: value
})

const databaseUrl = (server: string, name: string) => {
  const url = new URL(server)
  url.pathname = `/${name}`
  return url.toString()
}

/** `f` on a connection of its own to `connectionString` (the server's maintenance database by default). */
const admin = <A>(f: (client: pg.Client) => Promise<A>, connectionString = SERVER_URL) => onConnection(connectionString, f)
const pgCpuMs = (database: string) => backendsCpuMs(SERVER_URL, database)
const pgCpuSince = (database: string, before: Map<number, number>) => backendsCpuSince(SERVER_URL, database, before)

// ---- cases ------------------------------------------------------------------------------------

type Server = "raw" | "on" | "off"
interface Case {
  readonly name: string
  readonly server: Server
  /** The baseline case this one is compared with. */
  readonly baseline?: string
  /** Target: at least this share of the baseline's rate, and (when given) p99 within this factor. */
  readonly target?: { readonly rate: number; readonly p99?: number }
  readonly job: (seed: Seed) => Pick<LoadJob, "method" | "path" | "headers" | "body" | "expect">
}

const RUN = crypto.randomBytes(3).toString("hex")
// Every load numbers its requests from 1: each load gets keys of its own, or a second round's
// POSTs would replay the first round's answers (same key, same body) instead of creating.
let loads = 0
const auth = (seed: Seed) => ({ authorization: `Bearer ${seed.partnerKey}` })
const get = (path: string, headers: Record<string, string> = {}) => ({ method: "GET" as const, path, headers, expect: 200 })

const CASES: ReadonlyArray<Case> = [
  { name: "raw JSON", server: "raw", job: () => get("/json") },
  { name: "GET /healthz", server: "on", baseline: "raw JSON", target: { rate: 0.5 }, job: () => get("/healthz") },
  { name: "raw PK SELECT", server: "raw", job: (s) => get(`/pk/${s.subscriptionId}`) },
  {
    name: "GET /subscriptions/{id}, limit on",
    server: "on",
    baseline: "raw PK SELECT",
    target: { rate: 0.5, p99: 3 },
    job: (s) => get(`/api/v1/subscriptions/${s.subscriptionId}`, auth(s))
  },
  // The floor under the GET (BENCH_FLOOR=1): the Effect app with one `select 1` and no
  // authentication, and with authentication (the principal from memory) and no statement.
  ...(process.env["BENCH_FLOOR"] === "1"
    ? [
      { name: "GET /readyz (select 1, no auth)", server: "on", baseline: "raw PK SELECT", job: () => get("/readyz") },
      { name: "GET /me (auth, no statement)", server: "on", baseline: "raw PK SELECT", job: (s) => get("/api/v1/me", auth(s)) }
    ] satisfies ReadonlyArray<Case>
    : []),
  {
    name: "GET /subscriptions/{id}, limit off",
    server: "off",
    baseline: "raw PK SELECT",
    target: { rate: 0.5, p99: 3 },
    job: (s) => get(`/api/v1/subscriptions/${s.subscriptionId}`, auth(s))
  },
  {
    name: "raw INSERT",
    server: "raw",
    job: () => ({ method: "POST", path: "/insert", headers: { "content-type": "application/json" }, body: `{"name":"Raw {n}"}`, expect: 201 })
  },
  {
    name: "POST /customers + idempotency key",
    server: "on",
    baseline: "raw INSERT",
    target: { rate: 0.25 },
    job: (s) => ({
      method: "POST",
      path: "/api/v1/customers",
      headers: { ...auth(s), "content-type": "application/json", "x-idempotency-key": `bench-${RUN}-${++loads}-{n}` },
      body: `{"name":"Bench {n}"}`,
      expect: 201
    })
  },
  { name: "raw 50-row SELECT", server: "raw", job: () => get("/list") },
  {
    name: "GET /customers?limit=50",
    server: "on",
    baseline: "raw 50-row SELECT",
    job: (s) => get("/api/v1/customers?limit=50", auth(s))
  }
]

// ---- measuring --------------------------------------------------------------------------------

type Results = Map<string, Array<LoadResult>>

const n0 = (value: number) => Math.round(value).toLocaleString("en-US")
const ms = (value: number | null) => (value === null || Number.isNaN(value) ? "-" : `${value.toFixed(1)} ms`)
const pct = (value: number) => `${(100 * value).toFixed(0)}%`

const line = (c: Case, r: LoadResult, base: LoadResult | undefined) => {
  const cells = [
    c.name.padEnd(36),
    `${n0(r.perSecond)} req/s`.padStart(13),
    `p50 ${ms(r.p50)}`.padStart(13),
    `p99 ${ms(r.p99)}`.padStart(14),
    r.cpuUsPerRequest === undefined ? "" : `cpu ${n0(r.cpuUsPerRequest)} us/req`.padStart(16),
    r.pgCpuUsPerRequest === undefined ? "" : `pg ${n0(r.pgCpuUsPerRequest)} us`.padStart(10),
    r.errors === 0 ? "" : `  ${r.errors} errors (${r.firstError})`
  ]
  if (base !== undefined) {
    const rate = r.perSecond / base.perSecond
    const p99 = r.p99 / base.p99
    let verdict = ""
    if (c.target !== undefined) {
      const ok = rate >= c.target.rate && (c.target.p99 === undefined || p99 <= c.target.p99)
      verdict = ok ? "  target met" : `  target missed (>= ${pct(c.target.rate)}${c.target.p99 === undefined ? "" : `, p99 <= ${c.target.p99}x`})`
    }
    cells.push(`  ${pct(rate).padStart(4)} of the rate, p99 ${p99.toFixed(1)}x${verdict}`)
  }
  return cells.join(" ")
}

/**
 * Every round: every case in CASES order, its baseline right before it; a Provisio server is
 * started for the cases with the limit on, then another for those with it off, each warmed first.
 */
const measure = async (label: string, env: NodeJS.ProcessEnv, raw: Running, seedOf: Seed, rawSeed: Seed, logFile: string, database: string) => {
  const results: Results = new Map()
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\n${label}, round ${round}/${ROUNDS} (${CONNECTIONS} connections, ${WARMUP_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured)`)
    const last = new Map<string, LoadResult>()
    for (const server of ["on", "off"] as const) {
      const provisio = await startProvisio({ ...env, ...limits(server === "on" ? LIMIT_ON : "off") }, logFile)
      try {
        // A server just started compiles as it serves: its first API case's load, once, unreported
        // (not /healthz, which Node answers without the app).
        const first = CASES.find((c) => c.server === server && c.job(seedOf).path.startsWith("/api/"))!
        await load({ origin: provisio.origin, connections: CONNECTIONS, warmupMs: 0, measureMs: WARMUP_MS + MEASURE_MS, ...first.job(seedOf) })
        for (const c of CASES) {
          const wanted = c.server === server || (c.server === "raw" && server === "on")
          if (!wanted) continue
          const target = c.server === "raw" ? raw : provisio
          // PostgreSQL's backends: for a Provisio case on the embedded database, only the raw baselines' (none).
          const onServer = c.server === "raw" || env["DATABASE_URL"] !== undefined
          const pgBefore = onServer ? await pgCpuMs(database) : undefined
          const cpuBefore = target.cpuMs()
          const loaded = await load({ origin: target.origin, connections: CONNECTIONS, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, ...c.job(c.server === "raw" ? rawSeed : seedOf) })
          const cpuAfter = target.cpuMs()
          const pgUsed = pgBefore === undefined ? undefined : await pgCpuSince(database, pgBefore)
          // The server's CPU per answer (warm-up included): what a request costs it, whatever else runs.
          const result: LoadResult = {
            ...loaded,
            cpuUsPerRequest: cpuBefore === undefined || cpuAfter === undefined ? undefined : (1000 * (cpuAfter - cpuBefore)) / loaded.completed,
            pgCpuUsPerRequest: pgUsed === undefined ? undefined : (1000 * pgUsed) / loaded.completed
          }
          last.set(c.name, result)
          results.set(c.name, [...(results.get(c.name) ?? []), result])
          console.log(`  ${line(c, result, c.baseline === undefined ? undefined : last.get(c.baseline))}`)
        }
      } finally {
        await provisio.stop()
      }
    }
  }
  return results
}

const summary = (label: string, results: Results) => {
  console.log(`\n${label}: ratios per round (rate; p99 factor; CPU per request factor: the server's, PostgreSQL's backends')`)
  for (const c of CASES) {
    if (c.baseline === undefined) continue
    const mine = results.get(c.name) ?? []
    const base = results.get(c.baseline) ?? []
    const ratios = mine.map((r, i) => {
      const cpu = r.cpuUsPerRequest === undefined || base[i]!.cpuUsPerRequest === undefined
        ? ""
        : `; cpu ${(r.cpuUsPerRequest / base[i]!.cpuUsPerRequest).toFixed(1)}x`
      const pgCpu = r.pgCpuUsPerRequest === undefined || base[i]!.pgCpuUsPerRequest === undefined ||
          base[i]!.pgCpuUsPerRequest! < 1
        ? ""
        : `, pg ${(r.pgCpuUsPerRequest / base[i]!.pgCpuUsPerRequest).toFixed(1)}x`
      return `${pct(r.perSecond / base[i]!.perSecond)}; ${(r.p99 / base[i]!.p99).toFixed(1)}x${cpu}${pgCpu}`
    })
    const target = c.target === undefined ? "(no target)" : `target >= ${pct(c.target.rate)}${c.target.p99 === undefined ? "" : `, <= ${c.target.p99}x`}`
    console.log(`  ${c.name.padEnd(36)} ${ratios.join("   ").padEnd(34)} ${target}`)
  }
}

// ---- SQL statements per request (PostgreSQL, log_statement = all on the scratch database) -----

const countStatements = async (name: string, env: NodeJS.ProcessEnv, seedOf: Seed, logFile: string) => {
  if (!fs.existsSync(PG_LOG)) return console.log(`\n(no PostgreSQL log at ${PG_LOG}: statements not counted; set BENCH_PG_LOG)`)
  await admin((c) => c.query(`alter database ${name} set log_statement = 'all'`))
  const REQUESTS = 20
  const tally = async (
    label: string,
    server: string,
    send: (origin: string, i: number) => Promise<Response>,
    concurrency = 1,
    total = REQUESTS
  ) => {
    // No workers: the scheduler's and the delivery workers' polling would be counted too.
    const provisio = await startProvisio({ ...env, ...limits(server) }, logFile, { args: ["--no-workers"] })
    try {
      for (let i = 0; i < 5; i++) await (await send(provisio.origin, -1 - i)).arrayBuffer()
      await new Promise((resolve) => setTimeout(resolve, 300))
      const from = fs.statSync(PG_LOG).size
      let next = 0
      await Promise.all(Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < total; i = next++) await (await send(provisio.origin, i)).arrayBuffer()
      }))
      await new Promise((resolve) => setTimeout(resolve, 500))
      const text = fs.readFileSync(PG_LOG).subarray(from).toString("utf8")
      // One entry per log line that starts with a timestamp; a statement's further lines follow it.
      // Not `duration:` lines: the server may also log durations (log_min_duration_statement).
      const entries = text.split(/\n(?=\d{4}-\d\d-\d\d )/)
        .filter((e) => e.includes(`@${name} LOG:  `) && !e.includes(`@${name} LOG:  duration: `))
      const statements = entries.map((e) => e.slice(e.indexOf("LOG:  ") + 6).replace(/^(execute [^:]*|statement): /, ""))
      const shapes = new Map<string, number>()
      for (const s of statements) {
        const shape = s.replace(/\s+/g, " ").trim().slice(0, 110)
        shapes.set(shape, (shapes.get(shape) ?? 0) + 1)
      }
      console.log(`  ${label}: ${(statements.length / total).toFixed(2)} statements per request`)
      for (const [shape, count] of shapes) console.log(`      ${(count / total).toFixed(2)}x  ${shape}`)
    } finally {
      await provisio.stop()
    }
  }
  const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${seedOf.partnerKey}`, ...extra })
  const getSub = (origin: string) => fetch(`${origin}/api/v1/subscriptions/${seedOf.subscriptionId}`, { headers: headers() })
  console.log(`\nSQL statements per request (log_statement = all, ${REQUESTS} sequential requests unless said, server --no-workers)`)
  try {
    await tally("GET /subscriptions/{id}, limit on", LIMIT_ON, getSub)
    // The rate limit's leases are refilled once per lease when requests come one by one; at once, maybe not.
    await tally(`GET /subscriptions/{id}, limit on, ${CONNECTIONS} at once (${CONNECTIONS * 20} requests)`, LIMIT_ON, getSub, CONNECTIONS, CONNECTIONS * 20)
    await tally("GET /subscriptions/{id}, limit off", "off", getSub)
    const postCustomer = (keys: string) => (origin: string, i: number) =>
      fetch(`${origin}/api/v1/customers`, {
        method: "POST",
        headers: headers({ "content-type": "application/json", "x-idempotency-key": `${keys}-${RUN}-${i}` }),
        body: JSON.stringify({ name: `Counted ${i}` })
      })
    await tally("POST /customers + idempotency key, limit on", LIMIT_ON, postCustomer("count"))
    // The kept answers of concurrent POSTs share their statements (groupedStatement): how many, at once.
    await tally(`POST /customers + idempotency key, limit on, ${CONNECTIONS} at once (${CONNECTIONS * 20} requests)`, LIMIT_ON,
      postCustomer("count-at-once"), CONNECTIONS, CONNECTIONS * 20)
    await tally("GET /healthz", LIMIT_ON, (origin) => fetch(`${origin}/healthz`))
  } finally {
    await admin((c) => c.query(`alter database ${name} reset log_statement`))
  }
}

// ---- the profile ------------------------------------------------------------------------------

const profile = async (caseName: string, env: NodeJS.ProcessEnv, seedOf: Seed, logFile: string, scratch: string) => {
  const dir = path.join(scratch, `profile-${caseName.replace(/[^a-z]+/gi, "-").toLowerCase()}`)
  const provisio = await startProvisio({ ...env, ...limits(LIMIT_ON) }, logFile, { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`] })
  let result: LoadResult
  try {
    const job = CASES.find((c) => c.name === caseName)!.job(seedOf)
    result = await load({ origin: provisio.origin, connections: CONNECTIONS, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, ...job })
  } finally {
    await provisio.stop()
  }
  console.log(`\nProfile (--cpu-prof) of ${caseName}: ${n0(result.perSecond)} req/s under the profiler, ${dir}`)
  console.log(await run(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "http-profile.ts"), dir, String(result.completed)], {}))
}

// ---- main -------------------------------------------------------------------------------------

/** When the measured build was made: the newest file under packages/*\/dist (a stale build measures old code). */
const newestBuild = () => {
  let newest = 0
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(file)
      else newest = Math.max(newest, fs.statSync(file).mtimeMs)
    }
  }
  for (const pkg of ["core", "adapters", "http", "cli"]) walk(path.join(ROOT, "packages", pkg, "dist"))
  return new Date(newest).toISOString()
}

const main = async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-bench-http-"))
  const name = `provisio_bench_http_${crypto.randomBytes(4).toString("hex")}`
  const url = databaseUrl(SERVER_URL, name)
  console.log(`bench/http: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; logs in ${scratch}`)
  console.log(`  measuring the build of ${newestBuild()} (HEAD ${(await run("git", ["rev-parse", "--short", "HEAD"], {})).trim()})`)
  await admin((c) => c.query(`create database ${name}`))
  let raw: Running | undefined
  try {
    const pgEnv = { DATABASE_URL: url }
    await importCatalog(pgEnv)
    const first = await startProvisio({ ...pgEnv, ...limits("off") }, path.join(scratch, "postgres.log"))
    let pgSeed: Seed
    try {
      pgSeed = await seed(first.origin, CUSTOMERS)
    } finally {
      await first.stop()
    }
    // The raw INSERT's table, beside Provisio's in the scratch database.
    await admin(async (client) => {
      await client.query(`create table bench_raw_customers (
        id text primary key, name text not null, metadata jsonb not null default '{}', created_at timestamptz not null default now())`)
      await client.query("analyze")
    }, url)
    raw = await startRaw(url)

    const pgResults = ROUNDS === 0 ? undefined : await measure("PostgreSQL", pgEnv, raw, pgSeed, pgSeed, path.join(scratch, "postgres.log"), name)
    let embedded: Results | undefined
    if (EMBEDDED && ROUNDS > 0) {
      const embeddedEnv = { PROVISIO_DATA_DIR: path.join(scratch, "data") }
      await importCatalog(embeddedEnv)
      const server = await startProvisio({ ...embeddedEnv, ...limits("off") }, path.join(scratch, "embedded.log"))
      let embeddedSeed: Seed
      try {
        embeddedSeed = await seed(server.origin, CUSTOMERS)
      } finally {
        await server.stop()
      }
      // The raw baselines still run on PostgreSQL (its seed): they are what the hardware can do.
      embedded = await measure("Embedded (PGlite)", embeddedEnv, raw, embeddedSeed, pgSeed, path.join(scratch, "embedded.log"), name)
    }
    if (pgResults !== undefined) summary("PostgreSQL", pgResults)
    if (embedded !== undefined) summary("Embedded (PGlite), against the raw baselines on PostgreSQL", embedded)
    if (COUNT_SQL) await countStatements(name, pgEnv, pgSeed, path.join(scratch, "count.log"))
    console.log(`\nbuild now ${newestBuild()}: if it changed during the run, the run mixed two builds`)
    if (PROFILE) {
      for (const caseName of ["GET /subscriptions/{id}, limit on", "GET /healthz", "POST /customers + idempotency key"]) {
        await profile(caseName, pgEnv, pgSeed, path.join(scratch, "profile.log"), scratch)
      }
    }
  } finally {
    await raw?.stop()
    await admin((c) => c.query(`drop database if exists ${name} with (force)`))
    if (!PROFILE) fs.rmSync(scratch, { recursive: true, force: true })
  }
}

process.chdir(ROOT)
main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
