/**
 * The reconciliation exports at scale, against a raw `pg` cursor reading comparable rows, on one
 * PostgreSQL server:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx --expose-gc bench/exports.ts            1,000 then 10,000 subscriptions
 *   DATABASE_URL=... npx tsx --expose-gc bench/exports.ts 2000 20000                                          other sizes
 *   PROVISIO_BENCH_EXPORTS=rated-usage,commissions ...                                                       only those exports
 *
 * (It imports the packages' builds, as the other benches do: `npm run build` first, or add
 * `--conditions=source` to run the sources.)
 *
 * For each size, a scratch database seeded as bench/billing seeds it (bench/fixtures/billing-seed.ts:
 * customers of 5 subscriptions each on the SIP trunk plan, anchored on 2026-10-01, 30 usage records
 * per subscription spread over the month's days), billed by a real run for 2026-10 (invoices
 * finalized), with commission rules for the partner (10 %) and its distributor (3 %). Then each
 * export of 2026-10, as the platform operator, through the core as the HTTP handler serves it
 * (`Exports.download`'s text, batch by batch; each piece encoded to bytes and dropped, as a socket
 * would take it), and the raw baseline: the same month's rows through a plain `pg` server-side
 * cursor (DECLARE, then FETCH 1000), each row JSON-encoded. It prints rows/s and, sampled at every batch, the growth above where
 * the export started of the heap as used and of the RSS (both follow the collector's pace), and,
 * in a third pass with a full collection at every batch, of the heap still live: flat memory is
 * the live heap staying the same when the month is ten times larger.
 */
import { SqlClient } from "@effect/sql"
import { ServicesLive } from "@provisio/adapters/services"
import { Billing } from "@provisio/core/billing/service"
import type { ExportKind } from "@provisio/core/exports/model"
import { Exports } from "@provisio/core/exports/service"
import { Identity } from "@provisio/core/identity/service"
import { BillingMonth } from "@provisio/core/invoices/model"
import { Context, Effect, Layer, Logger, LogLevel, Stream } from "effect"
import pg from "pg"
import { scratchServerDatabase, seedChannel, seedUsage } from "./fixtures/billing-seed"

const SIZES = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1_000, 10_000]
const SERVER_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
const ANCHOR = "2026-10-01T00:00:00Z"
const PERIOD = BillingMonth.make("2026-10")
const RECORDS_PER_SUBSCRIPTION = 30
/** PROVISIO_BENCH_EXPORTS=rated-usage,commissions measures only those. */
const KINDS = (process.env["PROVISIO_BENCH_EXPORTS"]?.split(",") ?? ["invoices", "invoice-lines", "rated-usage", "commissions"]) as ReadonlyArray<ExportKind>

const count = (n: number) => Math.round(n).toLocaleString("en-US")
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const gc = () => (globalThis as { gc?: () => void }).gc?.()

/**
 * Memory sampled while an export runs, above where it started: the peak of the heap as used
 * (garbage included, so it follows the collector's pace more than the export) and of the RSS,
 * and, when `collect`, the heap still live after a full collection at every batch: what the
 * export holds, which is what must not grow with the month.
 */
const sampler = (collect: boolean) => {
  gc()
  const start = process.memoryUsage()
  let heap = 0
  let rss = 0
  let live = 0
  return {
    sample: () => {
      if (collect) {
        gc()
        live = Math.max(live, process.memoryUsage().heapUsed - start.heapUsed)
        return
      }
      const now = process.memoryUsage()
      heap = Math.max(heap, now.heapUsed - start.heapUsed)
      rss = Math.max(rss, now.rss - start.rss)
    },
    peaks: () => ({ heap, rss, live })
  }
}

/** Comparable rows straight from the tables, for the raw cursor (no scope checks, no formatting). */
const RAW: Record<ExportKind, string> = {
  "invoices": `select i.*, c.name as customer_name, p.name as partner_name from invoices i
                 left join customers c on c.id = i.customer_id left join accounts p on p.id = c.partner_id
                where i.period = '2026-10' order by i.id`,
  "invoice-lines": `select l.*, i.number from invoice_lines l join invoices i on i.id = l.invoice_id
                     where i.period = '2026-10' order by l.invoice_id, l.position`,
  "rated-usage": `select r.subscription_id, r.sku_id, (r.occurred_at at time zone 'UTC')::date as day, sum(r.quantity) as quantity
                    from usage_records r group by 1, 2, 3 order by 1, 2, 3`,
  "commissions": `select a.id as account_id, l.*, i.number from invoices i join invoice_lines l on l.invoice_id = i.id
                    cross join lateral unnest(i.lineage) as above (account_id)
                    join accounts a on a.id = above.account_id and a.kind in ('distributor', 'partner')
                   where i.period = '2026-10' and i.status in ('finalized', 'paid') order by l.invoice_id, l.position, a.id`
}

const rawCursor = (url: string, kind: ExportKind, collect = false) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    const memory = sampler(collect)
    const started = performance.now()
    // A server-side cursor, as pg-cursor opens one: declared in a transaction, fetched 1,000 rows at a time.
    await client.query("begin")
    await client.query(`declare raw_export no scroll cursor for ${RAW[kind]}`)
    let rows = 0
    let bytes = 0
    for (;;) {
      const batch = (await client.query("fetch 1000 from raw_export")).rows
      if (batch.length === 0) break
      for (const row of batch) bytes += Buffer.byteLength(JSON.stringify(row))
      rows += batch.length
      memory.sample()
    }
    await client.query("commit")
    await client.end()
    return { rows, bytes, ms: performance.now() - started, ...memory.peaks() }
  })

const throughCore = (
  exports: Context.Tag.Service<Exports>,
  operator: Parameters<Context.Tag.Service<Exports>["download"]>[0],
  kind: ExportKind,
  collect = false
) =>
  Effect.gen(function* () {
    const memory = sampler(collect)
    const started = performance.now()
    const download = yield* exports.download(operator, { kind, period: PERIOD, format: "csv" })
    let bytes = 0
    let lines = 0
    yield* Stream.runForEach(Stream.encodeText(download.text), (chunk) =>
      Effect.sync(() => {
        bytes += chunk.byteLength
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
        memory.sample()
      }))
    // Every line but the header is a row (names here hold no line breaks).
    return { rows: lines - 1, bytes, ms: performance.now() - started, ...memory.peaks() }
  })

const measureSize = (subscriptions: number) =>
  Effect.gen(function* () {
    const database = yield* scratchServerDatabase(SERVER_URL, 4)
    const context = yield* Layer.build(ServicesLive.pipe(Layer.provideMerge(database.layer)))
    const sql = Context.get(context, SqlClient.SqlClient)
    const started = performance.now()
    const seeded = yield* seedChannel({ customers: subscriptions / 5, subscriptions, anchor: ANCHOR }).pipe(Effect.provide(context))
    yield* seedUsage(seeded, RECORDS_PER_SUBSCRIPTION, ANCHOR, 30).pipe(Effect.provide(context))
    yield* sql`
      insert into commission_rules (id, account_id, lineage, percentage, effective_from, created_at, updated_at)
      select 'cmr_bench' || a.kind, a.id, a.lineage, case a.kind when 'partner' then 10 else 3 end, '2026-01-01', now(), now()
        from accounts a where a.kind in ('distributor', 'partner')`
    const operator = yield* Effect.flatMap(Identity, (identity) => identity.platformOperator).pipe(Effect.provide(context))
    const billing = Context.get(context, Billing)
    const { run } = yield* billing.startRun(operator, { period: PERIOD, grace_period: "0 seconds" })
    yield* billing.executeRun(run.id)
    yield* sql`vacuum analyze`
    const [totals] = yield* sql<{ invoices: number; lines: number; records: number }>`
      select (select count(*)::int from invoices) as invoices, (select count(*)::int from invoice_lines) as lines,
             (select count(*)::int from usage_records) as records`
    console.log(`\n${count(subscriptions)} subscriptions: ${count(totals!.invoices)} invoices, ${count(totals!.lines)} lines, ` +
      `${count(totals!.records)} usage records (seeded and billed in ${((performance.now() - started) / 1000).toFixed(1)} s)`)
    const exports = Context.get(context, Exports)
    const results: Array<{ kind: ExportKind; live: number }> = []
    for (const kind of KINDS) {
      // Once untimed, so both sides run compiled code and warm pages; then timed; then again
      // collecting at every batch, for the live heap (collections would distort the timing).
      yield* throughCore(exports, operator, kind)
      yield* rawCursor(database.url, kind)
      const core = yield* throughCore(exports, operator, kind)
      const raw = yield* rawCursor(database.url, kind)
      const coreLive = (yield* throughCore(exports, operator, kind, true)).live
      const rawLive = (yield* rawCursor(database.url, kind, true)).live
      console.log(
        `  ${kind.padEnd(14)} export ${count(core.rows).padStart(7)} rows ${count(core.rows / (core.ms / 1000)).padStart(7)} rows/s ` +
          `(${mb(core.bytes)} CSV), live heap +${mb(coreLive)}, peak heap +${mb(core.heap)}, RSS +${mb(core.rss)}  |  ` +
          `raw pg cursor ${count(raw.rows / (raw.ms / 1000)).padStart(7)} rows/s, live heap +${mb(rawLive)}, peak heap +${mb(raw.heap)}, RSS +${mb(raw.rss)}`
      )
      results.push({ kind, live: coreLive })
    }
    return results
  }).pipe(Effect.scoped)

const bench = Effect.gen(function* () {
  console.log(`bench/exports: sizes ${SIZES.map(count).join(", ")} subscriptions; PostgreSQL server ${new URL(SERVER_URL).host}, scratch databases`)
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    console.log("run it with --expose-gc (npx tsx --expose-gc bench/exports.ts): the live heap needs full collections")
    process.exit(1)
  }
  const bySize = []
  for (const size of SIZES) bySize.push({ size, results: yield* measureSize(size) })
  console.log(`\nlive heap growth per export (after a full collection at every batch), by size: flat memory is the same at every size`)
  for (const kind of KINDS) {
    console.log(`  ${kind.padEnd(14)} ${bySize.map(({ results, size }) => `${count(size)}: +${mb(results.find((r) => r.kind === kind)!.live)}`).join("   ")}`)
  }
}).pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))

Effect.runPromise(bench).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
