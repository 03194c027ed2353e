import * as SqlClient from "@effect/sql/SqlClient"
import { BillingRun, type StoredBillingRun } from "@provisio/core/billing/model"
import { BillingRunRepo } from "@provisio/core/billing/ports"
import { toPage } from "@provisio/core/shared/pagination"
import { Timestamp } from "@provisio/core/shared/time"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "../pagination.js"
import { orPersistenceError } from "../persistence.js"
import { decode, type Failure, iso } from "./common.js"

/** Billing runs and their chunks: the work queue executors share (`FOR UPDATE SKIP LOCKED`). */

const RunRow = Schema.Struct({
  ...BillingRun.fields,
  lineage: Schema.Array(Schema.String),
  heartbeat_at: Schema.NullOr(Timestamp)
})

const toStoredRun = ({ heartbeat_at, lineage, ...fields }: typeof RunRow.Type): StoredBillingRun => ({
  run: new BillingRun(fields),
  lineage,
  heartbeat_at
})

const ChunkRow = Schema.Struct({
  chunk: Schema.Int,
  after_customer: Schema.NullOr(Schema.String),
  last_customer: Schema.NullOr(Schema.String)
})

export const BillingRunRepoLive = Layer.effect(
  BillingRunRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const run = <A>(effect: Effect.Effect<A, Failure>) => orPersistenceError(effect)

    const firstRun = (rows: ReadonlyArray<unknown>) =>
      Effect.map(decode(RunRow)(rows.slice(0, 1)), (decoded) => Option.map(Option.fromNullable(decoded[0]), toStoredRun))
    const selectRun = (id: string) => Effect.flatMap(sql`select * from billing_runs where id = ${id}`, firstRun)

    return BillingRunRepo.of({
      insertRun: ({ lineage, run: r }) =>
        run(sql`insert into billing_runs ${
          sql.insert({
            id: r.id,
            account_id: r.account_id,
            lineage: [...lineage],
            period: r.period,
            status: r.status,
            grace_period_seconds: r.grace_period_seconds,
            customers_processed: 0,
            subscriptions_billed: 0,
            invoices_created: 0,
            created_at: iso(r.created_at),
            updated_at: iso(r.updated_at)
          })
        }`).pipe(Effect.asVoid),

      findRun: (id) => run(selectRun(id)),

      listRuns: (within, page) =>
        run(Effect.flatMap(
          sql`select * from billing_runs where lineage @> array[${within}]::text[] ${pageClause(sql, page, "id", true)}`,
          (rows) =>
            Effect.map(decode(RunRow)(rows), (decoded) => {
              const found = toPage(decoded, page)
              return { ...found, items: found.items.map(toStoredRun) }
            })
        )),

      findLiveRun: (accountId, period, since) =>
        run(Effect.flatMap(
          sql`select * from billing_runs
               where account_id = ${accountId} and period = ${period} and status in ('pending', 'running')
                 and coalesce(heartbeat_at, created_at) >= ${iso(since)}
               order by id desc limit 1`,
          firstRun
        )),

      markRunning: (id, at, chunkSize) =>
        run(Effect.gen(function* () {
          // The run's row first: a second executor starting at the same time waits here, then
          // finds the chunks this one planned.
          const updated = yield* sql`
            update billing_runs
               set status = 'running', error = null, started_at = coalesce(started_at, ${iso(at)}),
                   heartbeat_at = ${iso(at)}, updated_at = ${iso(at)},
                   customers_total = (select count(*)::int from customers c
                                       where c.lineage @> array[billing_runs.account_id]::text[])
             where id = ${id} and status <> 'completed'
             returning *`
          const found = yield* firstRun(updated)
          if (Option.isSome(found)) {
            // Chunk k holds customers k * size + 1 .. (k + 1) * size in id order; the last is
            // open-ended. A run with no customers gets one empty chunk.
            yield* sql`
              with ordered as (
                select id, (row_number() over (order by id) - 1) / ${chunkSize} as chunk
                  from customers where lineage @> array[${found.value.run.account_id}]::text[]
              ),
              bounds as (select chunk, max(id) as last_customer from ordered group by chunk),
              planned as (
                select chunk, lag(last_customer) over (order by chunk) as after_customer,
                       case when chunk = max(chunk) over () then null else last_customer end as last_customer
                  from bounds
                 union all
                select 0, null, null where not exists (select 1 from ordered)
              )
              insert into billing_run_chunks (run_id, chunk, after_customer, last_customer)
              select ${id}, chunk, after_customer, last_customer from planned
               where not exists (select 1 from billing_run_chunks where run_id = ${id})`
            return found.value.run
          }
          const stored = yield* firstRun(yield* sql`select * from billing_runs where id = ${id}`)
          return Option.getOrThrowWith(stored, () => new Error(`billing run ${id} is gone`)).run
        })),

      claimChunk: (runId) =>
        run(Effect.gen(function* () {
          const chunks = yield* Effect.flatMap(
            sql`
              select c.chunk, c.after_customer, c.last_customer
                from billing_run_chunks c join billing_runs r on r.id = c.run_id
               where c.run_id = ${runId} and c.done_at is null and r.status = 'running'
               order by c.chunk limit 1
                 for update of c skip locked`,
            decode(ChunkRow)
          )
          const chunk = chunks[0]
          if (chunk === undefined) return Option.none()
          const stored = yield* selectRun(runId).pipe(Effect.flatMap(Option.match({
            onNone: () => Effect.dieMessage(`billing run ${runId} is gone`),
            onSome: Effect.succeed
          })))
          return Option.some({ ...chunk, run: stored.run })
        })),

      completeChunk: (runId, chunk, progress, at) =>
        run(sql`
          with done as (
            update billing_run_chunks set done_at = ${iso(at)} where run_id = ${runId} and chunk = ${chunk}
          )
          update billing_runs
             set customers_processed = customers_processed + ${progress.customers},
                 subscriptions_billed = subscriptions_billed + ${progress.subscriptions},
                 invoices_created = invoices_created + ${progress.invoices},
                 heartbeat_at = ${iso(at)}, updated_at = ${iso(at)}
           where id = ${runId}`).pipe(Effect.asVoid),

      awaitPendingChunks: (runId) =>
        run(Effect.map(
          sql<{ readonly pending: number }>`
            select count(*)::int as pending from (
              select chunk from billing_run_chunks where run_id = ${runId} and done_at is null order by chunk for update
            ) as held`,
          (rows) => rows[0]?.pending ?? 0
        )),

      completeRun: (id, at) =>
        run(Effect.flatMap(
          sql`update billing_runs
                 set status = 'completed', completed_at = ${iso(at)}, heartbeat_at = ${iso(at)}, updated_at = ${iso(at)}
               where id = ${id} and status = 'running'
                 and not exists (select 1 from billing_run_chunks c where c.run_id = ${id} and c.done_at is null)
               returning *`,
          firstRun
        )),

      failRun: (id, error, at) =>
        run(sql`
          update billing_runs set status = 'failed', error = ${error.slice(0, 2000)}, updated_at = ${iso(at)}
           where id = ${id} and status <> 'completed'`).pipe(Effect.asVoid)
    })
  })
)
