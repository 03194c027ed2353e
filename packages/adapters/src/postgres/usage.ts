import * as SqlClient from "@effect/sql/SqlClient"
import { DecimalString, formatDecimal } from "@provisio/core/shared/money"
import { type NewUsageRecord, type PeriodKey, type UsageBatchContext, UsageTotal } from "@provisio/core/usage/model"
import { UsageRepo } from "@provisio/core/usage/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { column, type Column, unnestRows } from "./arrays.js"
import { epochMillisSql, fromEpochMillisSql, parseJsonColumns } from "./json.js"
import { orPersistenceError } from "./persistence.js"

// Set-based: each method is one statement whatever the batch size, the records travelling as
// one array parameter per column and coming back in through `unnest ... with ordinality`, so
// answers name input positions. Instants inside JSON are epoch milliseconds: exact, and free of
// the session time zone's formatting.

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

/**
 * The batch context as the query below writes it (instants as epoch milliseconds): mapped by
 * hand, not decoded, because every batch of every door reads it and the query fixes its shape.
 */
interface ContextJson {
  readonly subscriptions: ReadonlyArray<{
    readonly id: string
    readonly customer_id: string
    readonly lineage: ReadonlyArray<string>
    readonly status: string
    readonly billing_anchor: number
    readonly started_at: number
    readonly time_zone: string
    readonly billing_interval: "month" | "year"
    readonly current_period_start: number
    readonly current_period_end: number
    readonly ended_at: number | null
    readonly sku_ids: ReadonlyArray<string>
  }>
  readonly skus: ReadonlyArray<{ readonly id: string; readonly code: string; readonly thresholds: ReadonlyArray<number> }>
  readonly billed_periods: ReadonlyArray<{ readonly subscription_id: string; readonly period_start: number; readonly invoice_status: string }>
}

const instant = (millis: number) => DateTime.unsafeMake(millis)

const toContext = (json: ContextJson): UsageBatchContext => ({
  subscriptions: json.subscriptions.map((s) => ({
    ...s,
    billing_anchor: instant(s.billing_anchor),
    started_at: instant(s.started_at),
    current_period_start: instant(s.current_period_start),
    current_period_end: instant(s.current_period_end),
    ended_at: s.ended_at === null ? null : instant(s.ended_at)
  })),
  skus: json.skus,
  billed_periods: json.billed_periods.map((p) => ({ ...p, period_start: instant(p.period_start) }))
})

/** A period of the input as the database answers it: its subscription and start (epoch milliseconds). */
const AnsweredPeriod = { subscription_id: Schema.String, period_ms: Schema.Number }
const decodeLocked = Schema.decodeUnknown(Schema.Array(Schema.Struct({ ...AnsweredPeriod, invoice_id: Schema.String })))
const decodeBilled = Schema.decodeUnknown(Schema.Array(Schema.Struct({ ...AnsweredPeriod, invoice_status: Schema.String })))
const keyed = <A extends { readonly subscription_id: string; readonly period_ms: number }>({ period_ms, ...row }: A) => ({
  ...row,
  period_start: DateTime.unsafeMake(period_ms)
})
const decodeStored = Schema.decodeUnknown(Schema.Struct({
  inserted: Schema.Number,
  totals: Schema.Array(Schema.Struct({
    subscription_id: Schema.String,
    sku_id: Schema.String,
    period_start: Schema.DateTimeUtcFromNumber,
    added: DecimalString,
    total: DecimalString
  })),
  // Past the bound: not read through DecimalString, which holds 30 digits (a total stored before the bound may not fit).
  refused: Schema.Array(Schema.Struct({ position: Schema.Number, total: Schema.BigDecimal })),
  overflowed: Schema.Boolean
}))
const decodeEventIds = Schema.decodeUnknown(Schema.Array(Schema.Struct({ event_id: Schema.String })))
const decodeSummary = Schema.decodeUnknown(Schema.Array(UsageTotal))

/** The records as the columns of one set (`unnestRows`), instants in epoch milliseconds; one pass. */
const recordColumns = (records: ReadonlyArray<NewUsageRecord>) => {
  const columns = {
    customer_id: column<string>("text"),
    transaction_id: column<string>("text"),
    subscription_id: column<string>("text"),
    sku_id: column<string>("text"),
    quantity: column<string>("numeric"),
    occurred_ms: column<number>("int8"),
    period_ms: column<number>("int8")
  }
  for (const r of records) {
    columns.customer_id.values.push(r.customer_id)
    columns.transaction_id.values.push(r.transaction_id)
    columns.subscription_id.values.push(r.subscription_id)
    columns.sku_id.values.push(r.sku_id)
    columns.quantity.values.push(formatDecimal(r.quantity))
    columns.occurred_ms.values.push(DateTime.toEpochMillis(r.occurred_at))
    columns.period_ms.values.push(DateTime.toEpochMillis(r.period_start))
  }
  return columns
}

const draftColumns = (drafts: ReadonlyArray<PeriodKey & { readonly invoice_id: string }>) => ({
  subscription_id: { type: "text", values: drafts.map((d) => d.subscription_id) } satisfies Column<string>,
  period_start: { type: "timestamptz", values: drafts.map((d) => iso(d.period_start)) } satisfies Column<string>,
  invoice_id: { type: "text", values: drafts.map((d) => d.invoice_id) } satisfies Column<string>
})

export const UsageRepoLive = Layer.effect(
  UsageRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const millisOf = (column: string) => sql.unsafe(epochMillisSql(column))
    const fromMillis = (millis: string) => sql.unsafe(fromEpochMillisSql(millis))

    const groupArrays = (groups: ReadonlyArray<{ subscription_id: string; sku_id: string; period_start: DateTime.Utc }>) => ({
      subscriptions: groups.map((g) => g.subscription_id),
      skus: groups.map((g) => g.sku_id),
      periods: groups.map((g) => iso(g.period_start))
    })

    /**
     * The checks of `insertRecords` run `exact`: the stored totals of the batch's groups locked
     * first, in key order (before any record: a batch at once waits for them, never in a cycle);
     * then, only in a group the whole batch could bring to the bound, its new records (not stored
     * before, the first of an id repeated) walked one by one in the input's order, each `refused`
     * that would bring the total there, and the next counted without it.
     */
    const exactly = (bound: string) => sql`
            held as materialized (
              select t.subscription_id, t.sku_id, t.period_start, t.quantity
                from usage_totals t
               where (t.subscription_id, t.sku_id, t.period_start) in
                     (select subscription_id, sku_id, ${fromMillis("period_ms")} from input)
               order by t.subscription_id, t.sku_id, t.period_start
                 for update of t
            ),
            near as materialized (
              select n.i, n.customer_id, n.transaction_id, n.subscription_id, n.sku_id, n.period_ms, n.quantity, g.stored
                from input n
                join (select b.subscription_id, b.sku_id, b.period_ms, coalesce(h.quantity, 0) as stored
                        from (select subscription_id, sku_id, period_ms, sum(quantity) as quantity
                                from input group by subscription_id, sku_id, period_ms) b
                        left join held h on h.subscription_id = b.subscription_id and h.sku_id = b.sku_id
                                        and h.period_start = ${fromMillis("b.period_ms")}
                       where coalesce(h.quantity, 0) + b.quantity >= ${bound}::numeric) g
                  using (subscription_id, sku_id, period_ms)
            ),
            fresh as materialized (
              select n.*, row_number() over (partition by n.subscription_id, n.sku_id, n.period_ms order by n.i) as k
                from near n
               where not exists (select 1 from input e
                                  where e.customer_id = n.customer_id and e.transaction_id = n.transaction_id and e.i < n.i)
                 and not exists (select 1 from usage_records r
                                  where r.customer_id = n.customer_id and r.transaction_id = n.transaction_id)
            ),
            walk (subscription_id, sku_id, period_ms, k, i, total, refused) as (
              select subscription_id, sku_id, period_ms, k, i,
                     case when stored + quantity >= ${bound}::numeric then stored else stored + quantity end,
                     stored + quantity >= ${bound}::numeric
                from fresh where k = 1
              union all
              select f.subscription_id, f.sku_id, f.period_ms, f.k, f.i,
                     case when w.total + f.quantity >= ${bound}::numeric then w.total else w.total + f.quantity end,
                     w.total + f.quantity >= ${bound}::numeric
                from walk w
                join fresh f on f.subscription_id = w.subscription_id and f.sku_id = w.sku_id
                            and f.period_ms = w.period_ms and f.k = w.k + 1
            ),
            refused as (
              select f.i, f.customer_id, f.transaction_id, w.total + f.quantity as total
                from walk w join fresh f on f.i = w.i
               where w.refused
            ),`

    return UsageRepo.of({
      loadBatchContext: (subscriptionIds, skuRefs, since) =>
        orPersistenceError(Effect.flatMap(
          sql`
            select
              coalesce((
                select json_agg(json_build_object(
                         'id', s.id, 'customer_id', s.customer_id, 'lineage', s.lineage, 'status', s.status,
                         'billing_anchor', ${millisOf("s.billing_anchor")},
                         'started_at', ${millisOf("greatest(s.billing_anchor, s.created_at)")},
                         'time_zone', s.time_zone, 'billing_interval', s.billing_interval,
                         'current_period_start', ${millisOf("s.current_period_start")},
                         'current_period_end', ${millisOf("s.current_period_end")},
                         'ended_at', ${millisOf("coalesce(s.cancelled_at, s.expired_at)")},
                         'sku_ids', coalesce(pv.sku_ids, '{}')))
                  from subscriptions s
                  left join plan_versions pv on pv.plan_id = s.plan_id and pv.version = s.plan_version
                 where s.id = any(${subscriptionIds}::text[])), '[]'::json) as subscriptions,
              coalesce((
                select json_agg(json_build_object('id', k.id, 'code', k.code, 'thresholds', k.thresholds::float8[]))
                  from skus k
                 where k.id = any(${skuRefs}::text[])
                    or lower(k.code) = any(${skuRefs.map((ref) => ref.toLowerCase())}::text[])), '[]'::json) as skus,
              coalesce((
                select json_agg(json_build_object(
                         'subscription_id', bp.subscription_id,
                         'period_start', ${millisOf("bp.period_start")},
                         'invoice_status', i.status))
                  from billed_periods bp join invoices i on i.id = bp.invoice_id
                 where bp.subscription_id = any(${subscriptionIds}::text[])
                   and bp.period_end > ${iso(since)}::timestamptz), '[]'::json) as billed_periods`,
          (rows) => Effect.succeed(toContext(parseJsonColumns(rows[0]) as ContextJson))
        )),

      lockDraftPeriods: (periods) =>
        orPersistenceError(Effect.flatMap(
          sql`
            select p.subscription_id, ${millisOf("p.period_start")} as period_ms, inv.id as invoice_id
              from unnest(${periods.map((p) => p.subscription_id)}::text[], ${periods.map((p) => iso(p.period_start))}::timestamptz[])
                   as p(subscription_id, period_start)
              join billed_periods bp on bp.subscription_id = p.subscription_id and bp.period_start = p.period_start
              join invoices inv on inv.id = bp.invoice_id
             where inv.status = 'draft'
             order by inv.id
               for update of inv`,
          decodeLocked
        )).pipe(Effect.map((rows) => rows.map(keyed))),

      lockLatePeriods: (subscriptionIds, periods) =>
        orPersistenceError(Effect.zipRight(
          sql`select count(*) from (select id from subscriptions where id = any(${subscriptionIds}::text[]) order by id for share) as held`,
          Effect.flatMap(
            sql`
              select p.subscription_id, ${millisOf("p.period_start")} as period_ms, inv.status as invoice_status
                from unnest(${periods.map((p) => p.subscription_id)}::text[], ${periods.map((p) => iso(p.period_start))}::timestamptz[])
                     as p(subscription_id, period_start)
                join billed_periods bp on bp.subscription_id = p.subscription_id and bp.period_start = p.period_start
                join invoices inv on inv.id = bp.invoice_id`,
            decodeBilled
          )
        )).pipe(Effect.map((rows) => rows.map(keyed))),

      insertRecords: (records, receivedAt, { drafts, exact, withThresholds, ...options }) => {
        if (records.length === 0) return Effect.succeed({ inserted: 0, totals: [], refused: [], overflowed: false })
        const bound = formatDecimal(options.bound)
        return orPersistenceError(Effect.flatMap(
          // Instants travel as epoch milliseconds (exact, and cheaper to write than ISO text). In
          // key order: concurrent batches never wait on each other in a cycle; within the
          // statement a key repeated in the input is inserted once, its first time (not at all when
          // `exactly` refused it). The totals are upserted after every record is in, in key order
          // too, and answer whether one reached the bound; the drafts whose periods took a record
          // are flagged.
          sql`
            with ${sql.literal(exact ? "recursive " : "")}input as (
              select * from ${unnestRows(sql, recordColumns(records), { ordinality: "i" })}
            ),
            ${exact ? exactly(bound) : sql``}
            inserted as (
              insert into usage_records
                (customer_id, transaction_id, subscription_id, sku_id, quantity, occurred_at, period_start, received_at)
              select customer_id, transaction_id, subscription_id, sku_id, quantity,
                     ${fromMillis("occurred_ms")},
                     ${fromMillis("period_ms")},
                     ${iso(receivedAt)}::timestamptz
                from input
               ${exact ? sql`where (customer_id, transaction_id) not in (select customer_id, transaction_id from refused)` : sql``}
               order by customer_id, transaction_id, i
              on conflict (customer_id, transaction_id) do nothing
              returning subscription_id, sku_id, period_start, quantity
            ),
            rerated as (
              update invoices set needs_rerate = true
               where status = 'draft'
                 and id in (select d.invoice_id
                              from ${unnestRows(sql, draftColumns(drafts), { alias: "d" })}
                             where exists (select 1 from inserted x
                                            where x.subscription_id = d.subscription_id and x.period_start = d.period_start))
            ),
            added as (
              select subscription_id, sku_id, period_start, sum(quantity) as quantity
                from inserted group by subscription_id, sku_id, period_start
            ),
            totals as (
              insert into usage_totals (subscription_id, sku_id, period_start, quantity)
              select subscription_id, sku_id, period_start, quantity from added
               order by subscription_id, sku_id, period_start
              on conflict (subscription_id, sku_id, period_start)
              do update set quantity = usage_totals.quantity + excluded.quantity
              returning subscription_id, sku_id, period_start, quantity
            )
            select (select count(*) from inserted)::int as inserted,
                   coalesce((
                     select json_agg(json_build_object(
                              'subscription_id', t.subscription_id, 'sku_id', t.sku_id,
                              'period_start', ${millisOf("t.period_start")},
                              'added', a.quantity::text, 'total', t.quantity::text))
                       from totals t join added a using (subscription_id, sku_id, period_start)
                      where t.sku_id = any(${withThresholds}::text[])), '[]'::json) as totals,
                   ${exact
                     ? sql`coalesce((select json_agg(json_build_object('position', r.i - 1, 'total', r.total::text) order by r.i)
                                       from refused r), '[]'::json)`
                     : sql`'[]'::json`} as refused,
                   exists (select 1 from totals t where t.quantity >= ${bound}::numeric) as overflowed`,
          (rows) => decodeStored(parseJsonColumns(rows[0]))
        ))
      },

      insertCrossings: (crossings, at) => {
        const { periods, skus, subscriptions } = groupArrays(crossings)
        return orPersistenceError(Effect.flatMap(
          sql`
            insert into usage_threshold_crossings (subscription_id, sku_id, period_start, threshold, event_id, crossed_at)
            select subscription_id, sku_id, period_start, threshold, event_id, ${iso(at)}::timestamptz
              from unnest(${subscriptions}::text[], ${skus}::text[], ${periods}::timestamptz[],
                          ${crossings.map((c) => String(c.threshold))}::numeric[], ${crossings.map((c) => c.event_id)}::text[])
                   as c(subscription_id, sku_id, period_start, threshold, event_id)
            on conflict do nothing
            returning event_id`,
          decodeEventIds
        )).pipe(Effect.map((rows) => rows.map((row) => row.event_id)))
      },

      summary: (query) =>
        orPersistenceError(Effect.flatMap(
          sql`
            select u.sku_id, k.code as sku_code,
                   ${query.group_by === "day" ? sql`to_char(u.occurred_at at time zone 'UTC', 'YYYY-MM-DD')` : sql`null::text`} as day,
                   sum(u.quantity)::text as quantity
              from usage_records u join skus k on k.id = u.sku_id
             where u.subscription_id = ${query.subscription_id}
               ${query.from === undefined ? sql`` : sql`and u.occurred_at >= ${iso(query.from)}::timestamptz`}
               ${query.to === undefined ? sql`` : sql`and u.occurred_at < ${iso(query.to)}::timestamptz`}
             group by 1, 2, 3
             order by 3, 2`,
          (rows) => decodeSummary(rows.map(({ day, ...row }: any) => (day === null ? row : { ...row, day })))
        ))
    })
  })
)
