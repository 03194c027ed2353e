/**
 * The delivery engine's throughput and lag: provisioning calls pushed to a loopback receiver in
 * this process that answers 204 at once, printed beside a raw baseline run in the same
 * invocation: undici's `request` POSTing a ~300-byte JSON body to the same receiver with 32 calls
 * in flight (keep-alive; 1 s of warm-up, then 5 s counted).
 *
 *   npx tsx bench/push.ts                 20,000 events pre-filled, 60 s at 1,000 events/s; embedded PGlite only
 *   npx tsx bench/push.ts 2000 5          2,000 events pre-filled, 5 s at 1,000 events/s (a short run)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/push.ts
 *                                         the PostgreSQL server first (scratch databases, created and
 *                                         dropped), then the embedded database
 *
 *   argv[2]                          events pre-filled per PostgreSQL scenario (default 20,000); the
 *                                    embedded ones get min(N, 5,000): one PGlite session is slower
 *   argv[3] or BENCH_STEADY_SECONDS  seconds of steady production (default 60)
 *   BENCH_EMBEDDED_STEADY_SECONDS    the embedded database's steady seconds (default: the same)
 *
 * The packages run from their sources (the `source` export condition): started without it, the
 * bench starts itself again with it, so it never measures a stale build.
 *
 * PostgreSQL (when DATABASE_URL is set), each scenario on a scratch database of its own:
 * - `1 worker process`, `2 worker processes`: the product and N `subscription.created` events (one
 *   subscription each, so every delivery has its own ordering key) are seeded first; then 1 or 2
 *   worker processes start (bench/push-worker.ts: `Workers.layer({ scheduler: false })` over a
 *   pool of 10). Timed from the moment every worker printed `ready` to the arrival of the last
 *   event at the receiver (calls that arrived before the last `ready` are left out of the count).
 *   Then every delivery must be `delivered` in the database with an attempt row.
 * - `steady 1000/s`: one worker process, started on an empty outbox; the bench appends 10 events
 *   every 10 ms through the EventLog (each append its own transaction). Lag = arrival at the
 *   receiver - the moment the append returned (the commit), per event.
 * The embedded database (in-memory PGlite, always): it serves one process only, so the workers
 * layer runs in the bench process; the same scenarios without the 2-process one.
 *
 * Targets (the issue): one worker process >= 50% of the raw rate; two >= 1.6x one; steady
 * 1,000/s: lag p99 < 1 s and p50 < 100 ms. A missed target is printed, not an error. The exit
 * code is non-zero when an event is never delivered: the receiver stops seeing new events for
 * 30 s before all arrived, or the database does not show every delivery delivered.
 */
import { NodeRuntime } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { EventLogLive } from "@provisio/adapters/postgres/events"
import { ServicesLive } from "@provisio/adapters/services"
import { copyDatabase, createTemplate, databaseUrl, dropDatabase, writeSnapshot } from "@provisio/adapters/testing/database"
import { spawnTypeScript } from "@provisio/adapters/testing/processes"
import type { StoredEvent } from "@provisio/core/events/model"
import { EventLog } from "@provisio/core/events/ports"
import { Workers } from "@provisio/core/workers/service"
import { Context, Effect, Fiber, Layer, Logger, LogLevel, Redacted } from "effect"
import type { ChildProcess } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { request } from "undici"
import { eventsFor, seedEvents, seedProduct } from "../packages/http/test/fixtures/push-seed"

const ROOT = path.resolve(import.meta.dirname, "..")
const WORKER = path.join(import.meta.dirname, "push-worker.ts")
const SERVER_URL = process.env["DATABASE_URL"]

const EVENTS = Math.max(10, Number(process.argv[2] ?? 20_000))
const EMBEDDED_EVENTS = Math.min(EVENTS, 5_000)
const STEADY_SECONDS = Math.max(1, Number(process.argv[3] ?? process.env["BENCH_STEADY_SECONDS"] ?? 60))
const EMBEDDED_STEADY_SECONDS = Math.max(1, Number(process.env["BENCH_EMBEDDED_STEADY_SECONDS"] ?? STEADY_SECONDS))
/** Steady production: BATCH events appended every TICK_MS, 1,000 events/s. */
const TICK_MS = 10
const BATCH = 10
const RATE = (BATCH * 1000) / TICK_MS

const RAW_IN_FLIGHT = 32
const RAW_WARMUP_MS = 1_000
const RAW_MS = 5_000
/** The receiver saw no new event for this long before all arrived: the rest are never delivered. */
const STALL_MS = 30_000
/** How long the steady mode waits after production for the rest before it calls them late. */
const STEADY_GRACE_MS = 10_000
/** How long the database may take to record the last outcomes once the receiver saw every call. */
const RECORD_WAIT_MS = 10_000

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

// ---- the receiver -----------------------------------------------------------------------------

/**
 * A plain node:http server answering 204 at once. Per call it keeps only the first arrival of
 * each `webhook-id` (the event id): `performance.now()` when the request's head came in.
 */
interface Receiver {
  readonly url: string
  /** First arrival per event id since the last `reset`. */
  readonly arrivals: () => Map<string, number>
  /** Every call since the last `reset`, a call sent again included. */
  readonly calls: () => number
  readonly reset: () => void
}

const serveReceiver = Effect.acquireRelease(
  Effect.async<{ readonly server: ReturnType<typeof createServer>; readonly receiver: Receiver }>((resume) => {
    let arrivals = new Map<string, number>()
    let calls = 0
    const server = createServer((req, res) => {
      const at = performance.now()
      calls++
      const id = req.headers["webhook-id"]
      if (typeof id === "string" && !arrivals.has(id)) arrivals.set(id, at)
      req.on("end", () => res.writeHead(204).end())
      req.resume()
    })
    server.on("clientError", (_error, socket) => socket.destroy())
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({
        server,
        receiver: {
          url: `http://127.0.0.1:${port}`,
          arrivals: () => arrivals,
          calls: () => calls,
          reset: () => {
            arrivals = new Map()
            calls = 0
          }
        }
      }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ receiver }) => receiver))

// ---- the raw baseline -------------------------------------------------------------------------

/** What a provisioning call carries: a ~300-byte JSON body and the signature headers. */
const rawCall = (n: number) => {
  const id = `evt_raw${String(n).padStart(22, "0")}`
  const body = JSON.stringify({
    event_id: id,
    action: "CREATE",
    occurred_at: new Date().toISOString(),
    subscription: {
      id: `sub_push${crypto.randomBytes(8).toString("hex")}`,
      product_id: "prd_push0123456789ab",
      status: "active",
      quantity: 1,
      customer_id: null,
      plan_id: null,
      created_at: new Date().toISOString()
    }
  })
  const headers = {
    "content-type": "application/json",
    "user-agent": "Provisio/0.1.0",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
    "webhook-signature": `v1,${crypto.randomBytes(32).toString("base64")}`
  }
  return { body, headers }
}

/** undici's `request` (default dispatcher: keep-alive) with RAW_IN_FLIGHT calls in flight; calls/s. */
const rawRate = (receiver: Receiver) =>
  Effect.promise(async () => {
    receiver.reset()
    const started = performance.now()
    const from = started + RAW_WARMUP_MS
    const until = from + RAW_MS
    let counted = 0
    let n = 0
    const loop = async () => {
      while (performance.now() < until) {
        const { body, headers } = rawCall(n++)
        const response = await request(`${receiver.url}/subscriptions`, { method: "POST", headers, body })
        await response.body.dump()
        if (response.statusCode !== 204) throw new Error(`the receiver answered ${response.statusCode}`)
        const at = performance.now()
        if (at >= from && at < until) counted++
      }
    }
    await Promise.all(Array.from({ length: RAW_IN_FLIGHT }, loop))
    receiver.reset()
    return counted / (RAW_MS / 1000)
  })

// ---- worker processes -------------------------------------------------------------------------

interface WorkerProcess {
  readonly child: ChildProcess
  readonly exited: Promise<void>
  /** Its stderr (warnings and errors), as read so far. */
  readonly output: () => string
}

/** `count` worker processes on `url`, each answering `ready`; their handles and the last `ready`. */
const startWorkers = async (url: string, count: number) => {
  const workers: Array<WorkerProcess> = []
  const readies: Array<Promise<number>> = []
  for (let i = 0; i < count; i++) {
    // stdin stays open: the worker stops when it closes (the bench gone).
    const child = spawnTypeScript(WORKER, [], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let output = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk
      process.stderr.write(String(chunk).replace(/^(?=.)/gm, `[worker ${i + 1}] `))
    })
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
    readies.push(new Promise<number>((resolve, reject) => {
      let line = ""
      child.stdout!.on("data", (chunk: Buffer) => {
        const at = performance.now()
        line += chunk
        if (/^ready$/m.test(line)) resolve(at)
      })
      void exited.then(() => reject(new Error(`worker ${i + 1} exited before it was ready:\n${output}`)))
      setTimeout(() => reject(new Error(`worker ${i + 1} was not ready after 120 s:\n${output}`)), 120_000).unref()
    }))
    workers.push({ child, exited, output: () => output })
  }
  try {
    return { workers, ready: Math.max(...(await Promise.all(readies))) }
  } catch (error) {
    await stopWorkers(workers)
    throw error
  }
}

/** SIGTERM, then SIGKILL to what is still running 5 s later. */
const stopWorkers = (workers: ReadonlyArray<WorkerProcess>) =>
  Promise.all(workers.map(async ({ child, exited }) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill("SIGTERM")
    const killed = setTimeout(() => child.kill("SIGKILL"), 5_000)
    await exited
    clearTimeout(killed)
  }))

const workerProcesses = (url: string, count: number) =>
  Effect.acquireRelease(
    Effect.promise(() => startWorkers(url, count)),
    ({ workers }) => Effect.promise(() => stopWorkers(workers))
  )

// ---- measuring --------------------------------------------------------------------------------

const percentile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!

/**
 * Waits until the receiver saw every one of `ids` (or `deadline` passed, or no new one came for
 * STALL_MS, or a worker process exited); answers those it did not see. The receiver was reset
 * before the scenario: every event id it saw since is one of `ids`.
 */
const awaitArrivals = (
  receiver: Receiver,
  ids: ReadonlyArray<string>,
  options: { readonly deadline?: number; readonly workers?: ReadonlyArray<WorkerProcess> } = {}
) =>
  Effect.promise(async () => {
    let seen = receiver.arrivals().size
    let progressed = performance.now()
    while (receiver.arrivals().size < ids.length) {
      await sleep(10)
      const now = performance.now()
      const size = receiver.arrivals().size
      if (size > seen) {
        seen = size
        progressed = now
      }
      if (now - progressed > STALL_MS) break
      if (options.deadline !== undefined && now > options.deadline) break
      const dead = options.workers?.find((w) => w.child.exitCode !== null || w.child.signalCode !== null)
      if (dead) {
        console.error(`a worker process exited mid-run:\n${dead.output()}`)
        break
      }
    }
    const arrivals = receiver.arrivals()
    return ids.filter((id) => !arrivals.has(id))
  })

/**
 * Every delivery of `product` delivered with an attempt row, as the database shows it once the
 * workers recorded the last outcomes (up to RECORD_WAIT_MS); what it shows otherwise.
 */
const checkRecorded = (sql: SqlClient.SqlClient, product: string, expected: number) =>
  Effect.gen(function* () {
    const deadline = performance.now() + RECORD_WAIT_MS
    while (true) {
      const [row] = yield* sql<{ total: number; delivered: number; unattempted: number }>`
        select count(*)::int as total,
               (count(*) filter (where d.status = 'delivered'))::int as delivered,
               (count(*) filter (where not exists (select 1 from delivery_attempts a where a.delivery_id = d.id)))::int as unattempted
          from deliveries d
         where d.target = ${product}`
      const { delivered, total, unattempted } = row ?? { total: 0, delivered: 0, unattempted: 0 }
      if (total === expected && delivered === expected && unattempted === 0) return undefined
      if (performance.now() > deadline) {
        const statuses = yield* sql<{ status: string; n: number }>`
          select status, count(*)::int as n from deliveries where target = ${product} group by status order by status`
        const errors = yield* sql<{ error: string }>`
          select distinct last_error as error from deliveries
           where target = ${product} and status <> 'delivered' and last_error is not null limit 3`.pipe(
          Effect.orElseSucceed(() => [])
        )
        return `the database shows ${total} deliveries for ${expected} events (${
          statuses.map((s) => `${s.n} ${s.status}`).join(", ")
        }), ${unattempted} without an attempt, ${RECORD_WAIT_MS / 1000} s after the receiver saw every event${
          errors.length > 0 ? `; last errors: ${errors.map((e) => JSON.stringify(e.error)).join(", ")}` : ""
        }`
      }
      yield* Effect.sleep("50 millis")
    }
  })

interface Row {
  readonly scenario: string
  readonly events: number
  readonly seconds: number
  readonly "deliveries/s": number
  readonly "produced/s"?: number
  readonly lags?: ReadonlyArray<number>
  /** Steady: events that had not arrived STEADY_GRACE_MS after production ended. */
  readonly late?: number
  /** Pre-filled: events that arrived before the last worker was ready, left out of the rate. */
  readonly early?: number
  /** Calls sent again (at least once): calls at the receiver - distinct events. */
  readonly resent: number
  /** Events that never arrived, or a database that does not show them delivered. */
  readonly failures: ReadonlyArray<string>
}

/** A pre-filled run's figures: `ids` arrived, timed from `started`. */
const prefilledRow = (scenario: string, receiver: Receiver, ids: ReadonlyArray<string>, started: number, missing: ReadonlyArray<string>): Row => {
  const arrivals = receiver.arrivals()
  let last = started
  let before = 0
  for (const id of ids) {
    const at = arrivals.get(id)
    if (at === undefined) continue
    if (at < started) before++
    else if (at > last) last = at
  }
  const counted = ids.length - missing.length - before
  const seconds = (last - started) / 1000
  return {
    scenario,
    events: ids.length,
    seconds,
    "deliveries/s": seconds > 0 ? counted / seconds : NaN,
    early: before,
    resent: receiver.calls() - arrivals.size,
    failures: missing.length > 0 ? [`${missing.length} of ${ids.length} events never reached the receiver`] : []
  }
}

/**
 * The steady producer: BATCH events every TICK_MS for `seconds`, each batch appended by `append`
 * (its own transaction) on a fiber of its own, so a slow append does not hold the next one back.
 * Answers the ids in order, the commit time of each, and when production started and ended.
 */
const produce = (product: string, seconds: number, append: (events: ReadonlyArray<StoredEvent>) => Effect.Effect<void, unknown>) =>
  Effect.gen(function* () {
    const ids: Array<string> = []
    const committed = new Map<string, number>()
    let ended = 0
    const fibers: Array<Fiber.RuntimeFiber<void, unknown>> = []
    const ticks = Math.round((seconds * 1000) / TICK_MS)
    const started = performance.now()
    for (let tick = 0; tick < ticks; tick++) {
      const wait = started + tick * TICK_MS - performance.now()
      if (wait > 0) yield* Effect.sleep(`${wait} millis`)
      const batch = yield* eventsFor(product, BATCH)
      ids.push(...batch.ids)
      fibers.push(yield* Effect.fork(Effect.map(append(batch.events), () => {
        const at = performance.now()
        for (const id of batch.ids) committed.set(id, at)
        if (at > ended) ended = at
      })))
    }
    yield* Fiber.joinAll(fibers)
    return { ids, committed, started, ended }
  })

/** A steady run's figures, once production ended and the rest arrived (or not). */
const steadyRow = (
  scenario: string,
  receiver: Receiver,
  run: { readonly ids: ReadonlyArray<string>; readonly committed: Map<string, number>; readonly started: number; readonly ended: number },
  missing: ReadonlyArray<string>
): Row => {
  const arrivals = receiver.arrivals()
  const lags: Array<number> = []
  let last = run.started
  let late = missing.length
  for (const id of run.ids) {
    const at = arrivals.get(id)
    if (at === undefined) continue
    lags.push(at - run.committed.get(id)!)
    if (at > last) last = at
    if (at > run.ended + STEADY_GRACE_MS) late++
  }
  lags.sort((a, b) => a - b)
  const seconds = (last - run.started) / 1000
  return {
    scenario,
    events: run.ids.length,
    seconds,
    "deliveries/s": lags.length / seconds,
    // The last batch was due one tick before production's end.
    "produced/s": run.ids.length / ((run.ended - run.started + TICK_MS) / 1000),
    lags,
    late,
    resent: receiver.calls() - arrivals.size,
    failures: missing.length > 0 ? [`${missing.length} of ${run.ids.length} events never reached the receiver`] : []
  }
}

/** Steady: the first STEADY_GRACE_MS after production, then on until all arrived or none came for STALL_MS. */
const awaitSteady = (receiver: Receiver, ids: ReadonlyArray<string>, workers?: ReadonlyArray<WorkerProcess>) =>
  Effect.gen(function* () {
    const late = yield* awaitArrivals(receiver, ids, { deadline: performance.now() + STEADY_GRACE_MS, ...(workers ? { workers } : {}) })
    if (late.length === 0) return late
    console.log(`  ${late.length} events had not arrived ${STEADY_GRACE_MS / 1000} s after production ended: waiting for them`)
    return yield* awaitArrivals(receiver, ids, workers ? { workers } : {})
  })

// ---- the scenarios ----------------------------------------------------------------------------

/** The bench's own services on `database`: seeding, producing, checking. */
const benchServices = <E>(database: Layer.Layer<SqlClient.SqlClient, E>) =>
  Layer.mergeAll(ServicesLive, EventLogLive).pipe(Layer.provideMerge(database), Layer.orDie)

const appendWith = (context: Context.Context<EventLog>) => (events: ReadonlyArray<StoredEvent>) =>
  Context.get(context, EventLog).append(events)

const server = (serverUrl: string, receiver: Receiver) =>
  Effect.gen(function* () {
    const template = `provisio_bench_${crypto.randomBytes(4).toString("hex")}`
    yield* Effect.acquireRelease(createTemplate(serverUrl, template), () => dropDatabase(serverUrl, template).pipe(Effect.orDie))

    /** A copy of the template for one scenario, dropped (and its pool closed) at the scenario's end. */
    const scratch = Effect.gen(function* () {
      const name = `${template}_${crypto.randomBytes(3).toString("hex")}`
      yield* Effect.acquireRelease(copyDatabase(serverUrl, template, name), () => dropDatabase(serverUrl, name).pipe(Effect.orDie))
      const url = databaseUrl(serverUrl, name)
      const context = yield* Layer.build(benchServices(PgClient.layer({ url: Redacted.make(url), maxConnections: 4 })))
      return { url, context, sql: Context.get(context, SqlClient.SqlClient) }
    })

    const prefilled = (count: number) =>
      Effect.gen(function* () {
        const { context, sql, url } = yield* scratch
        const product = yield* seedProduct(receiver.url, 5000).pipe(Effect.provide(context))
        const ids = yield* seedEvents(product, EVENTS).pipe(Effect.provide(context))
        receiver.reset()
        const { ready, workers } = yield* workerProcesses(url, count)
        const missing = yield* awaitArrivals(receiver, ids, { workers })
        const row = prefilledRow(count === 1 ? "1 worker process" : `${count} worker processes`, receiver, ids, ready, missing)
        const recorded = missing.length === 0 ? yield* checkRecorded(sql, product, ids.length) : undefined
        return { ...row, failures: [...row.failures, ...(recorded ? [recorded] : [])] }
      }).pipe(Effect.scoped)

    const steady = Effect.gen(function* () {
      const { context, sql, url } = yield* scratch
      const product = yield* seedProduct(receiver.url, 5000).pipe(Effect.provide(context))
      receiver.reset()
      const { workers } = yield* workerProcesses(url, 1)
      const run = yield* produce(product, STEADY_SECONDS, appendWith(context))
      const missing = yield* awaitSteady(receiver, run.ids, workers)
      const row = steadyRow(`steady ${RATE}/s`, receiver, run, missing)
      const recorded = missing.length === 0 ? yield* checkRecorded(sql, product, run.ids.length) : undefined
      return { ...row, failures: [...row.failures, ...(recorded ? [recorded] : [])] }
    }).pipe(Effect.scoped)

    console.log(`\nPostgreSQL server ${new URL(serverUrl).host}: ${EVENTS} events pre-filled, ${STEADY_SECONDS} s at ${RATE} events/s`)
    const raw = yield* rawRate(receiver)
    const rows: Array<Row> = []
    for (const run of [prefilled(1), prefilled(2), steady]) {
      const row = yield* run
      console.log(`  ${row.scenario}: ${Math.round(row["deliveries/s"])} deliveries/s`)
      rows.push(row)
    }
    return report(`PostgreSQL server ${new URL(serverUrl).host} (worker processes, a pool of 10 each)`, raw, rows, true)
  }).pipe(Effect.scoped)

const embedded = (receiver: Receiver) =>
  Effect.gen(function* () {
    // Migrated once; each scenario restores a copy of it in memory.
    const file = path.join(os.tmpdir(), `provisio-bench-push-${process.pid}.tar`)
    yield* Effect.acquireRelease(writeSnapshot(file), () => Effect.sync(() => fs.rmSync(file, { force: true })))
    const snapshot = new Blob([fs.readFileSync(file)])

    const database = Effect.gen(function* () {
      const context = yield* Layer.build(benchServices(embeddedClient("memory", { loadDataDir: snapshot })))
      return { context, sql: Context.get(context, SqlClient.SqlClient) }
    })
    /** The workers layer in this process, on the bench's own services (one PGlite session). */
    const startWorkers = (context: Effect.Effect.Success<typeof database>["context"]) =>
      Effect.zipRight(
        Layer.build(Workers.layer({ scheduler: false, collector: false }).pipe(Layer.provide(Layer.succeedContext(context)))),
        Effect.sync(() => performance.now())
      )

    const prefilled = Effect.gen(function* () {
      const { context, sql } = yield* database
      const product = yield* seedProduct(receiver.url, 5000).pipe(Effect.provide(context))
      const ids = yield* seedEvents(product, EMBEDDED_EVENTS).pipe(Effect.provide(context))
      receiver.reset()
      const started = yield* startWorkers(context)
      const missing = yield* awaitArrivals(receiver, ids)
      const row = prefilledRow("1 worker (in the bench process)", receiver, ids, started, missing)
      const recorded = missing.length === 0 ? yield* checkRecorded(sql, product, ids.length) : undefined
      return { ...row, failures: [...row.failures, ...(recorded ? [recorded] : [])] }
    }).pipe(Effect.scoped)

    const steady = Effect.gen(function* () {
      const { context, sql } = yield* database
      const product = yield* seedProduct(receiver.url, 5000).pipe(Effect.provide(context))
      receiver.reset()
      yield* startWorkers(context)
      const run = yield* produce(product, EMBEDDED_STEADY_SECONDS, appendWith(context))
      const missing = yield* awaitSteady(receiver, run.ids)
      const row = steadyRow(`steady ${RATE}/s`, receiver, run, missing)
      const recorded = missing.length === 0 ? yield* checkRecorded(sql, product, run.ids.length) : undefined
      return { ...row, failures: [...row.failures, ...(recorded ? [recorded] : [])] }
    }).pipe(Effect.scoped)

    console.log(`\nembedded in-memory PGlite: ${EMBEDDED_EVENTS} events pre-filled, ${EMBEDDED_STEADY_SECONDS} s at ${RATE} events/s`)
    const raw = yield* rawRate(receiver)
    const rows: Array<Row> = []
    for (const run of [prefilled, steady]) {
      const row = yield* run
      console.log(`  ${row.scenario}: ${Math.round(row["deliveries/s"])} deliveries/s`)
      rows.push(row)
    }
    return report("embedded in-memory PGlite (the workers layer in the bench process, one session)", raw, rows, false)
  }).pipe(Effect.scoped)

// ---- the report -------------------------------------------------------------------------------

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? "-" : Math.round(value))
const verdict = (met: boolean) => (met ? "met" : "MISSED")

/** The table of one database, then one line per target; answers the failures. */
const report = (title: string, raw: number, rows: ReadonlyArray<Row>, processes: boolean) => {
  console.log(`\n${title}`)
  const table: Record<string, Record<string, string | number>> = {
    [`raw undici (${RAW_IN_FLIGHT} in flight)`]: {
      events: "-", seconds: RAW_MS / 1000, "deliveries/s": Math.round(raw), "ratio to raw": "1.00", "produced/s": "-",
      "lag p50 ms": "-", "lag p99 ms": "-", "lag max ms": "-", resent: "-"
    }
  }
  for (const row of rows) {
    const lags = row.lags
    table[row.scenario] = {
      events: row.events,
      seconds: Number(row.seconds.toFixed(2)),
      "deliveries/s": Math.round(row["deliveries/s"]),
      "ratio to raw": lags ? "-" : (row["deliveries/s"] / raw).toFixed(2),
      "produced/s": row["produced/s"] === undefined ? "-" : Math.round(row["produced/s"]),
      "lag p50 ms": ms(lags && percentile(lags, 0.5)),
      "lag p99 ms": ms(lags && percentile(lags, 0.99)),
      "lag max ms": ms(lags && lags[lags.length - 1]),
      resent: row.resent
    }
  }
  console.table(table)

  const one = rows.find((r) => !r.lags && !r.scenario.startsWith("2"))
  const two = rows.find((r) => r.scenario.startsWith("2"))
  const steady = rows.find((r) => r.lags)
  if (one) {
    const ratio = one["deliveries/s"] / raw
    console.log(`target: ${one.scenario} >= 50% of raw: ${(ratio * 100).toFixed(1)}% (${Math.round(one["deliveries/s"])} of ${Math.round(raw)}/s): ${verdict(ratio >= 0.5)}`)
  }
  if (processes && one && two) {
    const ratio = two["deliveries/s"] / one["deliveries/s"]
    console.log(`target: 2 worker processes >= 1.6x one: ${ratio.toFixed(2)}x: ${verdict(ratio >= 1.6)}`)
  }
  if (steady?.lags) {
    const p99 = percentile(steady.lags, 0.99)
    const p50 = percentile(steady.lags, 0.5)
    const produced = `produced at ${Math.round(steady["produced/s"] ?? 0)}/s`
    console.log(`target: steady lag p99 < 1000 ms: ${ms(p99)} ms (${produced}): ${verdict(p99 < 1000)}`)
    console.log(`target: steady lag p50 < 100 ms: ${ms(p50)} ms: ${verdict(p50 < 100)}`)
    if ((steady.late ?? 0) > 0) {
      console.log(`        ${steady.late} of ${steady.events} events arrived more than ${STEADY_GRACE_MS / 1000} s after production ended`)
    }
  }
  for (const row of rows) {
    if ((row.early ?? 0) > 0) console.log(`        ${row.scenario}: ${row.early} events arrived before the last worker was ready (not counted)`)
  }
  const failures = rows.flatMap((row) => row.failures.map((failure) => `${title}, ${row.scenario}: ${failure}`))
  for (const failure of failures) console.log(`FAILED: ${failure}`)
  return failures
}

// ---- main -------------------------------------------------------------------------------------

const bench = Effect.gen(function* () {
  const receiver = yield* serveReceiver
  console.log(`bench/push: a receiver at ${receiver.url} answering 204 at once; ${os.cpus().length} CPUs`)
  const failures: Array<string> = []
  if (SERVER_URL) failures.push(...(yield* server(SERVER_URL, receiver)))
  failures.push(...(yield* embedded(receiver)))
  if (failures.length > 0) {
    console.log(`\n${failures.length} failure(s): events never delivered (never at the receiver, or not delivered in the database)`)
    process.exitCode = 1
  }
})

if (import.meta.resolve("@provisio/core/workers/service").endsWith(".ts")) {
  NodeRuntime.runMain(bench.pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning)))
} else {
  // Resolved to the build: run again on the sources, as the worker processes do.
  process.on("SIGINT", () => {})
  const child = spawnTypeScript(fileURLToPath(import.meta.url), process.argv.slice(2), { cwd: ROOT, stdio: "inherit" })
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}
