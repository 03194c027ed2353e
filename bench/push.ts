/**
 * The delivery engine's throughput and lag: provisioning pushes to a loopback receiver that
 * answers 204 at once, with 1 and then 2 workers (two `Deliveries` instances over the same
 * database, each looping `runOnce`). Starts its own receiver and database and stops them.
 *
 *   npx tsx bench/push.ts              2000 events per scenario, embedded in-memory PGlite
 *   npx tsx bench/push.ts 5000         another count
 *   DATABASE_URL=postgres://... npx tsx bench/push.ts
 *                                      on a server: a scratch database is created and dropped,
 *                                      and each worker has its own connection pool
 *
 * The outbox is filled first (N `subscription.created` events, one subscription each), then the
 * workers run until every delivery is delivered. Lag = the event's `occurred_at` -> the attempt
 * that delivered it, so it includes the time an event waited in the queue behind the others.
 */
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrate } from "@provisio/adapters/postgres/migrations/index"
import { ServicesLive } from "@provisio/adapters/services"
import { createTemplate, dropDatabase } from "@provisio/adapters/testing/database"
import { serveReceiver } from "@provisio/adapters/testing/receivers"
import { Deliveries } from "@provisio/core/deliveries/service"
import { Context, Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import * as crypto from "node:crypto"
import { seedEvents, seedProduct } from "../packages/http/test/fixtures/push-seed"

const EVENTS = Math.max(10, Number(process.argv[2] ?? 2000))
const SERVER_URL = process.env["DATABASE_URL"]

const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

const stats = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! }
}

const bench = Effect.gen(function* () {
  const receiver = yield* serveReceiver((_call, response) => {
    response.writeHead(204).end()
  })

  // One database; on a server, a scratch database made for this run.
  let database: Layer.Layer<SqlClient.SqlClient>
  let workerDatabase: () => Layer.Layer<SqlClient.SqlClient>
  let where: string
  if (SERVER_URL) {
    const name = `provisio_bench_${crypto.randomBytes(4).toString("hex")}`
    yield* Effect.acquireRelease(createTemplate(SERVER_URL, name), () => dropDatabase(SERVER_URL, name).pipe(Effect.orDie))
    const url = withDatabase(SERVER_URL, name)
    database = Layer.succeedContext(
      yield* Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 4 }).pipe(Layer.orDie))
    )
    // Each worker its own pool, as separate processes would have.
    workerDatabase = () => PgClient.layer({ url: Redacted.make(url), maxConnections: 20 }).pipe(Layer.orDie)
    where = `PostgreSQL server (${new URL(SERVER_URL).host}), each worker with its own pool`
  } else {
    database = Layer.succeedContext(
      yield* Layer.build(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(embeddedClient("memory")), Layer.orDie))
    )
    workerDatabase = () => database
    where = "embedded in-memory PGlite: the workers share its one session, so they take turns on the database"
  }
  const servicesContext = yield* Layer.build(ServicesLive.pipe(Layer.provideMerge(database)))
  const services = Layer.succeedContext(servicesContext)
  const sql = Context.get(servicesContext, SqlClient.SqlClient)

  const workers = yield* Effect.forEach([0, 1], () =>
    Effect.map(
      Layer.build(Layer.fresh(ServicesLive).pipe(Layer.provide(Layer.fresh(workerDatabase())))),
      (context) => Context.get(context, Deliveries)
    ))

  console.log(`bench/push: ${EVENTS} events per scenario to ${receiver.url} (answers 204 at once)`)
  console.log(`database: ${where}\n`)

  const scenario = (count: number) =>
    Effect.gen(function* () {
      const product = yield* seedProduct(receiver.url, 5000).pipe(Effect.provide(services))
      yield* seedEvents(product, EVENTS).pipe(Effect.provide(services))
      const delivered = () =>
        Effect.map(
          sql<{ n: number }>`select count(*)::int as n from deliveries where target = ${product} and status = 'delivered'`,
          (rows) => rows[0]!.n
        )
      const started = performance.now()
      yield* Effect.forEach(workers.slice(0, count), (deliveries) =>
        Effect.gen(function* () {
          while (true) {
            const run = yield* deliveries.runOnce
            if (run.sent === 0 && run.dispatched_events === 0) {
              if ((yield* delivered()) >= EVENTS) return
              yield* Effect.sleep("5 millis")
            }
          }
        }), { concurrency: "unbounded", discard: true })
      const seconds = (performance.now() - started) / 1000
      const rows = yield* sql<{ lag: number; status: string }>`
        select extract(epoch from (a.at - e.occurred_at)) * 1000 as lag, d.status
          from deliveries d
          join events e on e.id = d.event_id
          join delivery_attempts a on a.delivery_id = d.id and a.status_code between 200 and 299
         where d.target = ${product}`
      const lags = rows.map((r) => Number(r.lag))
      const s = stats(lags)
      const [{ attempts } = { attempts: 0 }] = yield* sql<{ attempts: number }>`
        select count(*)::int as attempts from delivery_attempts a join deliveries d on d.id = a.delivery_id
         where d.target = ${product}`
      return {
        workers: count,
        delivered: lags.length,
        attempts,
        seconds: Number(seconds.toFixed(2)),
        "deliveries/s": Math.round(lags.length / seconds),
        "lag p50 ms": Math.round(s.p50),
        "lag p99 ms": Math.round(s.p99),
        "lag max ms": Math.round(s.max)
      }
    })

  const results = []
  for (const count of [1, 2]) results.push(yield* scenario(count))
  console.table(results)
  if (results.some((r) => r.delivered !== EVENTS)) throw new Error("some events were not delivered")
  console.log(`receiver saw ${receiver.calls().length} calls`)
})

Effect.runPromise(bench.pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))).catch((error) => {
  console.error(error)
  process.exit(1)
})
