/**
 * Usage ingestion against a plain COPY, on one PostgreSQL server, in one run:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/usage.ts           200,000 records a door
 *   DATABASE_URL=... npx tsx bench/usage.ts 500000                                             another count
 *
 * (Without DATABASE_URL it uses postgres://postgres@127.0.0.1:5432/postgres.) In a scratch
 * database: 100 customers with 1,000 subscriptions (bench/fixtures/billing-seed.ts), then the
 * same number of new records through each door, with de-duplication on (the unique
 * (customer_id, transaction_id) index every door writes through):
 *
 * - library: one `UsageService.ingest` call over all the records, which it takes in batches of
 *   1,000, a few in flight at once (what an embedding application or `provisio usage import` does);
 * - HTTP: `POST /api/v1/usage` in batches of 1,000 from 32 concurrent clients over loopback,
 *   authenticated with an API key, rate limit off;
 * - COPY: psql's `\copy` of the same rows as CSV into a table like usage_records (`including all`:
 *   the same columns, checks and indexes), which validates nothing and keeps no totals.
 *
 * Every door's records are validated (subscription in scope, SKU on the plan, period open,
 * quantity, time) and checked for thresholds by the library and HTTP doors; COPY only stores.
 */
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { ServicesLive } from "@provisio/adapters/services"
import { Identity } from "@provisio/core/identity/service"
import { UsageService } from "@provisio/core/usage/service"
import { HttpAppLive } from "@provisio/http/server"
import { ConfigProvider, Context, Effect, Layer, Logger, LogLevel } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { createServer } from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { BENCH_KEY, scratchServerDatabase, seedChannel, type Seeded } from "./fixtures/billing-seed"

const COUNT = Math.max(10_000, Number(process.argv[2] ?? 200_000))
const BATCH = 1_000
const CLIENTS = 32
const SERVER_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"

const count = (n: number) => Math.round(n).toLocaleString("en-US")

/** The period the subscriptions are in: it started 20 days ago (UTC midnight), so it is open now. */
const DAY = 86_400_000
const anchorMillis = Math.floor((Date.now() - 20 * DAY) / DAY) * DAY
const anchor = new Date(anchorMillis).toISOString()

/**
 * Record `n` of a door: a unique transaction id, spread over the 20 days. Each batch comes from
 * one of 32 collectors, each with its own 1/32 of the subscriptions (as mediation systems split
 * their feeds by customer or region), so concurrent batches rarely share a usage total.
 */
const COLLECTORS = 32
const record = (seeded: Seeded, door: string, n: number) => {
  const collector = Math.floor(n / BATCH) % COLLECTORS
  const mine = Math.ceil(seeded.subscriptionIds.length / COLLECTORS)
  const subscription = seeded.subscriptionIds[(collector + COLLECTORS * (n % mine)) % seeded.subscriptionIds.length]!
  return {
    transaction_id: `${door}-${n}`,
    subscription_id: subscription,
    sku_id: seeded.skuId,
    quantity: String(1 + (n * 7) % 40),
    occurred_at: new Date(anchorMillis + ((n * 7_919) % (19 * DAY))).toISOString()
  }
}

const batches = (seeded: Seeded, door: string) =>
  Array.from({ length: Math.ceil(COUNT / BATCH) }, (_, b) =>
    Array.from({ length: Math.min(BATCH, COUNT - b * BATCH) }, (_, i) => record(seeded, door, b * BATCH + i)))

const bench = Effect.gen(function* () {
  const database = yield* scratchServerDatabase(SERVER_URL, CLIENTS + 8)
  const rateLimitsOff = Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
    ["PROVISIO_RATE_LIMIT_ADMIN", "off"],
    ["PROVISIO_RATE_LIMIT_MANAGER", "off"],
    ["PROVISIO_RATE_LIMIT_VIEWER", "off"]
  ])))
  const context = yield* Layer.build(
    HttpAppLive.pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
      Layer.provideMerge(ServicesLive),
      Layer.provideMerge(database.layer),
      Layer.provide(rateLimitsOff)
    )
  )
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  const base = `http://127.0.0.1:${address.port}`
  const sql = Context.get(context, SqlClient.SqlClient)

  const seeded = yield* seedChannel({ customers: 100, subscriptions: 1_000, anchor }).pipe(Effect.provide(context))
  const operator = yield* Effect.flatMap(Identity, (identity) => identity.platformOperator).pipe(Effect.provide(context))
  const usage = Context.get(context, UsageService)
  console.log(`bench/usage: ${count(COUNT)} records per door, batches of ${count(BATCH)}, 1,000 subscriptions`)
  console.log(`database: PostgreSQL server ${new URL(SERVER_URL).host}, scratch database\n`)

  // Warm-up (plans, JIT), not counted: one batch through each of the two doors.
  yield* usage.ingest(operator, batches(seeded, "warm-lib")[0]!)

  // Library --------------------------------------------------------------------------------
  const libraryBatches = batches(seeded, "lib")
  let started = performance.now()
  const { accepted } = yield* usage.ingest(operator, libraryBatches.flat())
  const librarySeconds = (performance.now() - started) / 1000
  if (accepted !== COUNT) throw new Error(`library: ${accepted} of ${COUNT} accepted`)
  // A replay of the first batches: all duplicates (de-duplication is on), nothing stored twice.
  const replay = yield* usage.ingest(operator, libraryBatches[0]!)
  if (replay.duplicates !== libraryBatches[0]!.length) throw new Error("library replay: not all duplicates")

  // HTTP -----------------------------------------------------------------------------------
  const post = (records: ReadonlyArray<unknown>) =>
    fetch(`${base}/api/v1/usage`, {
      method: "POST",
      headers: { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ records })
    }).then(async (response) => {
      const body = await response.json() as { data: { accepted: number } }
      if (response.status !== 200) throw new Error(`POST /usage answered ${response.status}: ${JSON.stringify(body)}`)
      return body.data.accepted
    })
  yield* Effect.promise(() => post(batches(seeded, "warm-http")[0]!))
  const httpBatches = batches(seeded, "http")
  started = performance.now()
  let next = 0
  const httpAccepted = yield* Effect.promise(() =>
    Promise.all(Array.from({ length: CLIENTS }, async () => {
      let mine = 0
      while (next < httpBatches.length) mine += await post(httpBatches[next++]!)
      return mine
    })).then((counts) => counts.reduce((a, b) => a + b, 0))
  )
  const httpSeconds = (performance.now() - started) / 1000
  if (httpAccepted !== COUNT) throw new Error(`HTTP: ${httpAccepted} of ${COUNT} accepted`)

  // COPY -----------------------------------------------------------------------------------
  // The same columns, checks and indexes as usage_records (`including all`).
  yield* sql`create table usage_copy (like usage_records including all)`
  const customerOf = new Map(
    (yield* sql<{ id: string; customer_id: string }>`select id, customer_id from subscriptions where id like 'sub_bench%'`)
      .map((row) => [row.id, row.customer_id])
  )
  const file = path.join(os.tmpdir(), `provisio-usage-${process.pid}.csv`)
  const receivedAt = new Date().toISOString()
  fs.writeFileSync(
    file,
    batches(seeded, "copy").flat().map((r) =>
      [customerOf.get(r.subscription_id), r.transaction_id, r.subscription_id, r.sku_id, r.quantity, r.occurred_at, anchor, receivedAt].join(",")
    ).join("\n") + "\n"
  )
  const copy = `\\copy usage_copy (customer_id, transaction_id, subscription_id, sku_id, quantity, occurred_at, period_start, received_at) from '${file}' with (format csv)`
  started = performance.now()
  execFileSync("psql", [database.url, "-v", "ON_ERROR_STOP=1", "-q", "-c", copy])
  const copySeconds = (performance.now() - started) / 1000
  fs.rmSync(file)

  const rate = (seconds: number) => COUNT / seconds
  const copyRate = rate(copySeconds)
  console.log(`  library (one call, batches of ${BATCH})     ${count(rate(librarySeconds)).padStart(9)} records/s  (${librarySeconds.toFixed(2)} s)`)
  console.log(`  POST /usage (batches of ${BATCH}, ${CLIENTS} clients) ${count(rate(httpSeconds)).padStart(9)} records/s  (${httpSeconds.toFixed(2)} s)`)
  console.log(`  plain COPY (psql \\copy, same indexes)      ${count(copyRate).padStart(9)} records/s  (${copySeconds.toFixed(2)} s)`)
  console.log(`  library / COPY = ${(rate(librarySeconds) / copyRate * 100).toFixed(0)}%   (target >= 50%)`)
  console.log(`  HTTP / COPY    = ${(rate(httpSeconds) / copyRate * 100).toFixed(0)}%   (target >= 25%)`)
}).pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))

Effect.runPromise(bench).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
