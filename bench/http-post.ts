/**
 * `POST /api/v1/customers` with an `X-Idempotency-Key` against the raw INSERT, for server
 * variants told apart by their environment, in turns within one run (docs/performance.md, fifth
 * step): the figures of two variants are comparable only within a run on this shared machine.
 *
 *   npm run build && npx tsx bench/http-post.ts
 *   BENCH_VARIANTS='{"a":{},"b":{"PROVISIO_DATABASE_POOL_SIZE":"20"}}' npx tsx bench/http-post.ts
 *
 * A variant's BENCH_NODE_FLAGS (space-separated) start its server with those Node flags after `npm start`'s.
 *
 * BENCH_REQUEST=get loads `GET /api/v1/subscriptions/{id}` against the raw PK SELECT instead (docs/performance.md,
 * sixth step); BENCH_KEY=0 sends the POST without a key. BENCH_SECONDS (default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 64);
 * DATABASE_URL the server's maintenance database (a scratch database is made and dropped);
 * BENCH_PROFILE=1 runs each variant under `node --cpu-prof` in the last round and prints
 * bench/http-profile.ts's summary (the profiler's overhead is in that round's figures).
 */
import pg from "pg"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { backendsCpuMs, backendsCpuSince, importCatalog, load, onConnection, ROOT, run, type Running, seed, startProvisio, startRaw } from "./fixtures/http-servers"
import type { LoadJob, LoadResult } from "./fixtures/http-load"

const SERVER_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
const MEASURE_MS = 1000 * Number(process.env["BENCH_SECONDS"] ?? 5)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3)
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 64)
const VARIANTS: Record<string, Record<string, string>> = JSON.parse(process.env["BENCH_VARIANTS"] ?? '{"default":{}}')
const PROFILE = process.env["BENCH_PROFILE"] === "1"
/** BENCH_PROFILE_KEEP=<folder>: the profiles are copied there, one folder per variant, for a closer look. */
const PROFILE_KEEP = process.env["BENCH_PROFILE_KEEP"]
const GET = process.env["BENCH_REQUEST"] === "get"
/** BENCH_KEY=0: the POST without an `X-Idempotency-Key`, to see what the key costs. */
const KEYED = process.env["BENCH_KEY"] !== "0"
const RUN = crypto.randomBytes(3).toString("hex")
const ON = { PROVISIO_RATE_LIMIT_ADMIN: "100000000/minute", PROVISIO_RATE_LIMIT_MANAGER: "100000000/minute", PROVISIO_RATE_LIMIT_VIEWER: "100000000/minute" }

const admin = <A>(f: (c: pg.Client) => Promise<A>, connectionString = SERVER_URL) => onConnection(connectionString, f)
const pgCpuMs = (database: string) => backendsCpuMs(SERVER_URL, database)
const pgCpuSince = (database: string, before: Map<number, number>) => backendsCpuSince(SERVER_URL, database, before)

let loads = 0
/** Connections PostgreSQL accepted to `database` so far (a pool that replaces its clients shows here). */
const sessions = (database: string) =>
  admin((c) => c.query<{ sessions: string }>("select sessions from pg_stat_database where datname = $1", [database]))
    .then((r) => Number(r.rows[0]?.sessions ?? 0))

const measure = async (target: Running, database: string, job: Parameters<typeof load>[0]) => {
  const sessionsBefore = await sessions(database)
  const pgBefore = await pgCpuMs(database)
  const cpuBefore = target.cpuMs()!
  const result: LoadResult = await load(job)
  const cpu = (1000 * (target.cpuMs()! - cpuBefore)) / result.completed
  const pgUs = (1000 * (await pgCpuSince(database, pgBefore))) / result.completed
  // (This bench's own connections go to the maintenance database, not counted here.)
  const opened = (await sessions(database)) - sessionsBefore
  return { rate: result.perSecond, p99: result.p99, cpu, pg: pgUs, errors: result.errors, firstError: result.firstError, completed: result.completed, opened }
}

const main = async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-bench-post-"))
  const name = `provisio_bench_post_${crypto.randomBytes(4).toString("hex")}`
  const url = new URL(SERVER_URL)
  url.pathname = `/${name}`
  const env = { DATABASE_URL: url.toString() }
  console.log(`bench/http-post: load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; variants ${JSON.stringify(VARIANTS)}`)
  await admin((c) => c.query(`create database ${name}`))
  let raw: Running | undefined
  try {
    await importCatalog(env)
    const first = await startProvisio({ ...env, ...ON }, path.join(scratch, "seed.log"))
    const s = await seed(first.origin, 5).finally(() => first.stop())
    await admin(async (c) => {
      await c.query(`create table bench_raw_customers (
        id text primary key, name text not null, metadata jsonb not null default '{}', created_at timestamptz not null default now())`)
    }, url.toString())
    raw = await startRaw(url.toString())
    const base = { connections: CONNECTIONS, warmupMs: 2000, measureMs: MEASURE_MS }
    for (let round = 1; round <= ROUNDS; round++) {
      const rawResult = await measure(raw, name, GET
        ? { ...base, origin: raw.origin, method: "GET", path: `/pk/${s.subscriptionId}`, headers: {}, expect: 200 }
        : { ...base, origin: raw.origin, method: "POST", path: "/insert", headers: { "content-type": "application/json" }, body: `{"name":"Raw {n}"}`, expect: 201 })
      console.log(`round ${round}: raw ${GET ? "PK SELECT" : "INSERT"} ${rawResult.rate.toFixed(0)} req/s, cpu ${rawResult.cpu.toFixed(0)} us, pg ${rawResult.pg.toFixed(0)} us`)
      for (const [variant, vars] of Object.entries(VARIANTS)) {
        const profileDir = PROFILE && round === ROUNDS ? path.join(scratch, `profile-${variant}`) : undefined
        const server = await startProvisio({ ...env, ...ON, ...vars }, path.join(scratch, `${variant}.log`), {
          nodeFlags: [
            // A variant's BENCH_NODE_FLAGS go after `npm start`'s own, so they win (V8's young generation, say).
            ...(vars["BENCH_NODE_FLAGS"]?.split(" ").filter((flag) => flag !== "") ?? []),
            ...(profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`])
          ]
        })
        let completed = 0
        try {
          const job: LoadJob = GET ? { ...base, origin: server.origin, method: "GET" as const, path: `/api/v1/subscriptions/${s.subscriptionId}`, headers: { authorization: `Bearer ${s.partnerKey}` }, expect: 200 } : {
            ...base,
            origin: server.origin,
            method: "POST" as const,
            path: "/api/v1/customers",
            headers: { authorization: `Bearer ${s.partnerKey}`, "content-type": "application/json", ...(KEYED ? { "x-idempotency-key": `post-${RUN}-${++loads}-{n}` } : {}) },
            body: `{"name":"Bench {n}"}`,
            expect: 201
          }
          // Warmed first (a started server compiles as it serves), but not under the profiler: its
          // summary divides by the answers of the measured load (its own warm-up in them).
          if (profileDir === undefined) await load({ ...job, warmupMs: 0, measureMs: 3000, headers: GET || !KEYED ? job.headers : { ...job.headers, "x-idempotency-key": `warm-${RUN}-${++loads}-{n}` } })
          const r = await measure(server, name, job)
          completed = r.completed
          console.log(
            `  ${variant.padEnd(12)} ${r.rate.toFixed(0).padStart(6)} req/s (${((100 * r.rate) / rawResult.rate).toFixed(1)}% of raw), ` +
              `p99 ${r.p99.toFixed(0)} ms, cpu ${r.cpu.toFixed(0)} us (${(r.cpu / rawResult.cpu).toFixed(1)}x), pg ${r.pg.toFixed(0)} us, ` +
              `${r.opened} connections opened` +
              (r.errors > 0 ? `, ${r.errors} errors (${r.firstError})` : "")
          )
        } finally {
          await server.stop()
        }
        if (profileDir !== undefined) {
          if (PROFILE_KEEP !== undefined) fs.cpSync(profileDir, path.join(PROFILE_KEEP, variant), { recursive: true })
          console.log(await run(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "http-profile.ts"), profileDir, String(completed)], {}))
        }
      }
    }
  } finally {
    await raw?.stop()
    await admin((c) => c.query(`drop database if exists ${name} with (force)`))
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

process.chdir(ROOT)
main().then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
