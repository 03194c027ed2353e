/**
 * What the request guards cost per request: idempotency keys (middleware/idempotency.ts) and the
 * rate limit (middleware/rate-limit.ts), measured over real HTTP on loopback against the embedded
 * in-memory database. Starts its own servers and stops them.
 *
 *   npx tsx bench/request-guards.ts            500 requests per scenario
 *   npx tsx bench/request-guards.ts 2000       another count
 *
 * Two servers share one database: one with the rate limit on (a budget too large to run out),
 * one with it off. Requests are sequential, so each number is one request's latency; the
 * scenarios take turns in rounds, so drift (JIT, caches, a growing table) hits them alike.
 */
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrate } from "@provisio/adapters/postgres/migrations/index"
import { ServicesLive } from "@provisio/adapters/services"
import { Identity } from "@provisio/core/identity/service"
import { HttpAppLive } from "@provisio/http/server"
import { ConfigProvider, Context, Effect, Layer, Logger, LogLevel, Option } from "effect"
import { createServer } from "node:http"

const PER_SCENARIO = Math.max(50, Number(process.argv[2] ?? 500))
const ROUNDS = 5
const PER_ROUND = Math.ceil(PER_SCENARIO / ROUNDS)
const ADMIN_KEY = "pvo_bench_platform_admin_key_0123456789abcdef"

const Database = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(embeddedClient("memory")))

/** The whole server on a free loopback port, over `database`, with the given rate limits. */
const serverOver = (database: Layer.Layer<any>, limit: string) =>
  Layer.effectDiscard(Effect.flatMap(Identity, (identity) => identity.bootstrap(Option.some(ADMIN_KEY)))).pipe(
    Layer.provideMerge(HttpAppLive.pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
    )),
    Layer.provideMerge(ServicesLive),
    Layer.provide(database),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
      ["PROVISIO_RATE_LIMIT_ADMIN", limit],
      ["PROVISIO_RATE_LIMIT_MANAGER", limit],
      ["PROVISIO_RATE_LIMIT_VIEWER", limit]
    ]))))
  )

const baseUrl = (context: Context.Context<HttpServer.HttpServer>) => {
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  return `http://127.0.0.1:${address.port}`
}

interface Scenario {
  readonly name: string
  readonly send: (i: number) => Promise<Response>
  readonly expect: number
  readonly latencies: Array<number>
}

let sequence = 0
const post = (base: string, headers: Record<string, string> = {}, name?: string) =>
  fetch(`${base}/api/v1/distributors`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ name: name ?? `Bench ${++sequence}` })
  })
const get = (base: string) => fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })

const stats = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, p50: at(0.5), p95: at(0.95) }
}

const ms = (value: number) => `${value.toFixed(3).padStart(8)} ms`

const bench = Effect.gen(function* () {
  const database = Layer.succeedContext(yield* Layer.build(Database))
  const guarded = baseUrl(yield* Layer.build(serverOver(database, "100000000/minute")))
  const unlimited = baseUrl(yield* Layer.build(serverOver(database, "off")))

  const scenarios: Array<Scenario> = [
    { name: "GET /me, rate limit off", send: () => get(unlimited), expect: 200, latencies: [] },
    { name: "GET /me, rate limit on", send: () => get(guarded), expect: 200, latencies: [] },
    { name: "POST, rate limit off, no key", send: () => post(unlimited), expect: 201, latencies: [] },
    { name: "POST, rate limit on, no key", send: () => post(guarded), expect: 201, latencies: [] },
    {
      name: "POST, rate limit on, new key",
      send: (i) => post(guarded, { "x-idempotency-key": `bench-${process.pid}-${i}` }),
      expect: 201,
      latencies: []
    },
    {
      name: "POST, rate limit on, replayed key",
      send: () => post(guarded, { "x-idempotency-key": `bench-replay-${process.pid}` }, "Replayed"),
      expect: 201,
      latencies: []
    }
  ]

  yield* Effect.promise(async () => {
    // Warm up every path (JIT, prepared plans, the replayed key's first use).
    for (const scenario of scenarios) {
      for (let i = 0; i < 30; i++) await (await scenario.send(-1 - i)).arrayBuffer()
    }
    let n = 0
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of scenarios) {
        for (let i = 0; i < PER_ROUND; i++) {
          const started = performance.now()
          const response = await scenario.send(n++)
          await response.arrayBuffer()
          scenario.latencies.push(performance.now() - started)
          if (response.status !== scenario.expect) {
            throw new Error(`${scenario.name}: expected ${scenario.expect}, got ${response.status}`)
          }
        }
      }
    }
  })

  const table = Object.fromEntries(scenarios.map((s) => [s.name, stats(s.latencies)]))
  const line = (name: string) => {
    const { mean, p50, p95 } = table[name]!
    return `  ${name.padEnd(36)} mean ${ms(mean)}   p50 ${ms(p50)}   p95 ${ms(p95)}`
  }
  const delta = (label: string, base: string, other: string) => {
    const a = table[base]!
    const b = table[other]!
    return `  ${label.padEnd(36)} mean ${ms(b.mean - a.mean)}   p50 ${ms(b.p50 - a.p50)}`
  }
  console.log(`\nRequest guards: ${PER_ROUND * ROUNDS} sequential requests per scenario, embedded in-memory database, loopback HTTP\n`)
  for (const s of scenarios) console.log(line(s.name))
  console.log("\nOverhead")
  console.log(delta("rate limit (GET /me)", "GET /me, rate limit off", "GET /me, rate limit on"))
  console.log(delta("rate limit (POST)", "POST, rate limit off, no key", "POST, rate limit on, no key"))
  console.log(delta("idempotency key, first use", "POST, rate limit on, no key", "POST, rate limit on, new key"))
  console.log(delta("idempotency key, replay vs. a POST", "POST, rate limit on, no key", "POST, rate limit on, replayed key"))
  console.log(delta("both guards (POST with a new key)", "POST, rate limit off, no key", "POST, rate limit on, new key"))
}).pipe(
  Effect.scoped,
  // One log line per request would measure the console.
  Logger.withMinimumLogLevel(LogLevel.Warning)
)

Effect.runPromise(bench).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
