/**
 * A billing run at scale against the plain aggregation it cannot avoid, on one PostgreSQL server:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/billing.ts      10,000 subscriptions, 1,000,000 records
 *   DATABASE_URL=... npx tsx bench/billing.ts 2000 200000                                  other counts
 *
 * (Without DATABASE_URL it uses postgres://postgres@127.0.0.1:5432/postgres.) Seeded once into a
 * scratch database: 2,000 customers with 5 subscriptions each on the SIP trunk plan (graduated voice
 * minutes, thresholds), all anchored on 2026-10-01, and 100 usage records per subscription in
 * October (bench/fixtures/billing-seed.ts). Then, five times, each on a fresh copy of it, timed:
 *
 * - the aggregation: one `GROUP BY subscription_id, sku_id` summing October's records, the least
 *   any billing of those records has to read (warm: the median of three runs after a first);
 * - the run: `Billing.startRun` + `executeRun` for 2026-10 with grace 0, as `provisio billing run`
 *   does: every subscription's recurring line and usage line (rated from the running totals), one invoice per customer,
 *   each invoice finalized (gapless number, ledger entry, event) — chunks of 250 customers, each
 *   one transaction, four at once (PROVISIO_BILLING_WORKERS). Before it, untimed, the same on a
 *   small database of its own (`warmUp`).
 *
 * With PRICE_LISTS=1, price lists on every tier (seedPriceLists: platform -30 % to the distributor,
 * distributor +20 % to the partner, partner fixed prices and tiers to its customers), so every
 * line is priced through the whole chain (docs/channel.md); the target is the same.
 *
 * Each time it checks that every subscription was billed exactly once. It prints each
 * measurement with its ratio, the medians of the times, and the median of the ratios (target: the
 * run takes at most 5 times the aggregation). The machines this runs on are shared and their speed
 * drifts by a third within minutes: a measurement's aggregation and run follow each other on one
 * copy, so their ratio compares the two at one speed, and the median of five keeps one slow spell
 * from deciding.
 */
import { SqlClient } from "@effect/sql"
import { ServicesLive } from "@provisio/adapters/services"
import { BillingWorkers } from "@provisio/core/billing/config"
import { Billing } from "@provisio/core/billing/service"
import { BillingMonth } from "@provisio/core/invoices/model"
import { Identity } from "@provisio/core/identity/service"
import { Context, Effect, Layer, Logger, LogLevel } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { scratchServerDatabase, seedChannel, seedPriceLists, seedUsage } from "./fixtures/billing-seed"

const SUBSCRIPTIONS = Math.max(100, Number(process.argv[2] ?? 10_000))
const RECORDS = Math.max(SUBSCRIPTIONS, Number(process.argv[3] ?? 1_000_000))
const CUSTOMERS = Math.max(1, Math.floor(SUBSCRIPTIONS / 5))
const SERVER_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
const ANCHOR = "2026-10-01T00:00:00Z"
const PERIOD = BillingMonth.make("2026-10")
/** Connections of the measured database's pool: the run's executors and one to spare. */
const POOL = 5
/** BENCH_CHUNK: customers per chunk, to compare with the default (CHUNK_SIZE). */
const CHUNK = process.env["BENCH_CHUNK"] === undefined ? undefined : Math.max(1, Number(process.env["BENCH_CHUNK"]))
/** Measurements, each on a fresh copy of the seeded database. */
const MEASUREMENTS = 5

const count = (n: number) => Math.round(n).toLocaleString("en-US")
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/**
 * A run of 2,000 subscriptions on a database of its own, untimed, so the measured run starts
 * with Node's code compiled as a server's is after its first runs (the GROUP BY, likewise, is
 * timed on its second run).
 */
const warmUp = Effect.gen(function* () {
  const database = yield* scratchServerDatabase(SERVER_URL, 4)
  const context = yield* Layer.build(ServicesLive.pipe(Layer.provideMerge(database.layer)))
  const seeded = yield* seedChannel({ customers: 400, subscriptions: 2_000, anchor: ANCHOR }).pipe(Effect.provide(context))
  yield* seedUsage(seeded, 20, ANCHOR, 30).pipe(Effect.provide(context))
  const operator = yield* Effect.flatMap(Identity, (identity) => identity.platformOperator).pipe(Effect.provide(context))
  const billing = Context.get(context, Billing)
  const { run } = yield* billing.startRun(operator, { period: PERIOD, grace_period: "0 seconds" })
  yield* billing.executeRun(run.id)
}).pipe(Effect.scoped)

/**
 * Tax on (the default; PROVISIO_BENCH_TAX=0 leaves it off): the partner sells from Germany, a
 * third of its customers are German consumers (19 %), a third French consumers (20 %, place of
 * supply), a third French businesses with a VAT id (reverse charge), so every line is taxed.
 */
const TAX = process.env["PROVISIO_BENCH_TAX"] !== "0"
/** Chunks billed at once, as a server reads PROVISIO_BILLING_WORKERS (unset: the core's default). */
const WORKERS = process.env["PROVISIO_BILLING_WORKERS"] === undefined ? undefined : Number(process.env["PROVISIO_BILLING_WORKERS"])
const PRICE_LISTS = process.env["PRICE_LISTS"] === "1"
const taxed = (partnerId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      insert into tax_rates (id, country, region, category, rate, valid_from, valid_to, created_at, updated_at)
      values ('txr_benchde', 'DE', null, 'standard', 19.0, '2020-01-01', null, now(), now()),
             ('txr_benchfr', 'FR', null, 'standard', 20.0, '2020-01-01', null, now(), now())`
    yield* sql`
      insert into account_settings (account_id, branding, licensing, legal, created_at, updated_at)
      values (${partnerId}, '{}', '{}', '{"country": "DE"}', now(), now())
      on conflict (account_id) do update set legal = excluded.legal`
    yield* sql`
      update customers
         set address = jsonb_build_object('country', case when abs(hashtext(id)) % 3 = 0 then 'DE' else 'FR' end),
             tax_id = case when abs(hashtext(id)) % 3 = 2 then 'FR40303265045' end
       where partner_id = ${partnerId}`
  })

/** The machine's busy and total CPU time so far, in ms (all cores; Linux's /proc/stat, in ticks of 10 ms). */
const machineCpu = () => {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  return { busy: (total - ticks[3]! - ticks[4]!) * 10, total: total * 10 }
}

/**
 * With BENCH_PROFILE=<dir>, each measured run under the V8 profiler (this process only: the run's
 * own code, pg's parsing), written as <dir>/run-<n>.cpuprofile (`npx tsx bench/http-profile.ts <dir>`
 * summarizes them).
 */
const PROFILE_DIR = process.env["BENCH_PROFILE"]
let profiled = 0
const profiling = async () => {
  if (PROFILE_DIR === undefined) return async () => {}
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.start")
  return async () => {
    const { profile } = await session.post("Profiler.stop")
    writeFileSync(`${PROFILE_DIR}/run-${++profiled}.cpuprofile`, JSON.stringify(profile))
    session.disconnect()
  }
}

/** Median of a few measurements: this is a shared machine, and one slow spell should not decide. */
const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The seeded database, made once: each measurement bills a fresh copy of it. */
const seedTemplate = Effect.gen(function* () {
  const database = yield* scratchServerDatabase(SERVER_URL, 1)
  const started = performance.now()
  yield* Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const seeded = yield* seedChannel({ customers: CUSTOMERS, subscriptions: SUBSCRIPTIONS, anchor: ANCHOR })
    yield* seedUsage(seeded, Math.floor(RECORDS / SUBSCRIPTIONS), ANCHOR, 30)
    if (TAX) yield* taxed(seeded.partnerId)
    if (PRICE_LISTS) yield* seedPriceLists(seeded)
    // As autovacuum leaves freshly loaded tables (hint bits set, statistics taken), so that it does
    // not do it in the middle of a measurement.
    yield* sql`vacuum analyze`
    const [{ records } = { records: 0 }] = yield* sql<{ records: number }>`select count(*)::int as records from usage_records`
    console.log(`  seeded in ${seconds(performance.now() - started)} (${count(records)} records)`)
  }).pipe(Effect.provide(ServicesLive.pipe(Layer.provideMerge(database.layer))), Effect.scoped)
  return database.name
})

/** One measurement on a copy of the seeded database: the GROUP BY (second of two), then the run. */
const measure = (template: string) =>
  Effect.gen(function* () {
    const database = yield* scratchServerDatabase(SERVER_URL, POOL, template)
    const context = yield* Layer.build(ServicesLive.pipe(Layer.provideMerge(database.layer)))
    const sql = Context.get(context, SqlClient.SqlClient)
    const billing = Context.get(context, Billing)
    // The copy's pages written out before the clock starts (a superuser's right; skipped otherwise).
    yield* sql`checkpoint`.pipe(Effect.ignore)

    const aggregate = sql`
      select subscription_id, sku_id, sum(quantity) as quantity
        from usage_records
       where period_start = ${new Date(ANCHOR)}
       group by subscription_id, sku_id`
    // Warm, then the median of three: a query this short moves by a third with the machine's load.
    let groups = yield* aggregate
    const times: Array<number> = []
    for (let k = 0; k < 3; k++) {
      const started = performance.now()
      groups = yield* aggregate
      times.push(performance.now() - started)
    }
    const aggregationMs = median(times)

    const operator = yield* Effect.flatMap(Identity, (identity) => identity.platformOperator).pipe(Effect.provide(context))
    // Every connection of the pool open before the clock starts, as a server's are.
    yield* Effect.all(Array.from({ length: POOL }, () => sql`select pg_sleep(0.01)`), { concurrency: "unbounded", discard: true })
    const stopProfiling = yield* Effect.promise(profiling)
    const started = performance.now()
    const cpuBefore = process.cpuUsage()
    const eluBefore = performance.eventLoopUtilization()
    const machineBefore = machineCpu()
    const { run } = yield* billing.startRun(operator, { period: PERIOD, grace_period: "0 seconds" })
    const execute = billing.executeRun(run.id, undefined, CHUNK === undefined ? undefined : { chunkSize: CHUNK })
    const done = yield* (WORKERS === undefined ? execute : Effect.provideService(execute, BillingWorkers, WORKERS))
    const runMs = performance.now() - started
    yield* Effect.promise(stopProfiling)
    // Where the run's time went: this process (the run's own code, pg's parsing) and the whole
    // machine (PostgreSQL's backends are most of the rest), as cores busy on average.
    const cpu = process.cpuUsage(cpuBefore)
    // How much of the run this process's one JavaScript thread was busy: near 100%, it is the run's bottleneck.
    const elu = performance.eventLoopUtilization(eluBefore).utilization
    const machine = machineCpu()
    const nodeCores = (cpu.user + cpu.system) / 1000 / runMs
    const machineCores = (machine.busy - machineBefore.busy) / runMs

    const [check] = yield* sql<{
      billed: number; once: boolean; invoices: number; finalized: number; lines: number; total: string; costs: number; cost_total: string
    }>`
      select (select count(*)::int from billed_periods) as billed,
             (select count(*) = count(distinct subscription_id) from billed_periods) as once,
             (select count(*)::int from invoices) as invoices,
             (select count(*)::int from invoices where status = 'finalized') as finalized,
             (select count(*)::int from invoice_lines) as lines,
             (select sum(total)::text from invoices) as total,
             (select count(*)::int from channel_costs) as costs,
             (select coalesce(sum(amount), 0)::text from channel_costs) as cost_total`
    if (check!.billed !== SUBSCRIPTIONS || !check!.once) throw new Error(`billed ${check!.billed} periods of ${SUBSCRIPTIONS}`)
    console.log(`  GROUP BY ${seconds(aggregationMs).padStart(8)} (${count(groups.length)} groups)   billing run 2026-10 (grace 0) ${seconds(runMs).padStart(8)} (status ${done.status}, ${count(check!.invoices)} invoices, ${count(check!.finalized)} finalized, ${count(check!.lines)} lines, ${check!.total} EUR, ${count(check!.costs)} costs up the channel, ${check!.cost_total} EUR, every subscription billed once)   ${(runMs / aggregationMs).toFixed(1)}x`)
    console.log(`      cores busy during the run: ${machineCores.toFixed(2)} in all, of which this process ${nodeCores.toFixed(2)} (its main thread busy ${Math.round(100 * elu)}% of the time)`)
    return { aggregationMs, runMs }
  }).pipe(Effect.scoped)

const bench = Effect.gen(function* () {
  console.log(`bench/billing: ${count(SUBSCRIPTIONS)} subscriptions of ${count(CUSTOMERS)} customers, ${count(RECORDS)} usage records`)
  console.log(`database: PostgreSQL server ${new URL(SERVER_URL).host}, scratch databases; tax ${TAX ? "on" : "off"}; price lists ${PRICE_LISTS ? "on every tier" : "none"}\n`)
  yield* warmUp
  const template = yield* seedTemplate
  const results = []
  for (let k = 0; k < MEASUREMENTS; k++) results.push(yield* measure(template))
  const aggregationMs = median(results.map((r) => r.aggregationMs))
  const runMs = median(results.map((r) => r.runMs))
  const ratio = median(results.map((r) => r.runMs / r.aggregationMs))
  console.log(`\n  median of ${MEASUREMENTS}: GROUP BY ${seconds(aggregationMs)}, billing run ${seconds(runMs)}`)
  console.log(`  run / aggregation = ${ratio.toFixed(1)}x, the median of the ${MEASUREMENTS} ratios   (target <= 5x)`)
}).pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))

Effect.runPromise(bench).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
