import { SqlClient } from "@effect/sql"
import { DecimalString, formatDecimal } from "@provisio/core/shared/money"
import { UsageTotal } from "@provisio/core/usage/model"
import { UsageRepo } from "@provisio/core/usage/ports"
import { DateTime, Effect, Layer, Schema } from "effect"
import { orPersistenceError } from "./persistence"

// Set-based: each method is one statement whatever the batch size, the records travelling as
// one array parameter per column and coming back in through `unnest ... with ordinality`, so
// answers name input positions. Instants inside JSON are epoch milliseconds: exact, and free of
// the session time zone's formatting.

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

const Instant = Schema.DateTimeUtcFromNumber
const ContextRow = Schema.Struct({
  subscriptions: Schema.Array(Schema.Struct({
    id: Schema.String,
    customer_id: Schema.String,
    lineage: Schema.Array(Schema.String),
    status: Schema.String,
    billing_anchor: Instant,
    started_at: Instant,
    time_zone: Schema.String,
    billing_interval: Schema.Literal("month", "year"),
    current_period_start: Instant,
    current_period_end: Instant,
    ended_at: Schema.NullOr(Instant),
    sku_ids: Schema.Array(Schema.String)
  })),
  skus: Schema.Array(Schema.Struct({
    id: Schema.String,
    code: Schema.String,
    thresholds: Schema.Array(Schema.Number)
  })),
  billed_periods: Schema.Array(Schema.Struct({
    subscription_id: Schema.String,
    period_start: Instant,
    invoice_status: Schema.String
  }))
})
const decodeContext = Schema.decodeUnknown(ContextRow)
const decodeIndexes = Schema.decodeUnknown(Schema.Array(Schema.Struct({ i: Schema.NumberFromString })))
const decodeLocked = Schema.decodeUnknown(Schema.Array(Schema.Struct({ i: Schema.NumberFromString, invoice_id: Schema.String })))
const decodeBilled = Schema.decodeUnknown(Schema.Array(Schema.Struct({ i: Schema.NumberFromString, invoice_status: Schema.String })))
const decodeTotals = Schema.decodeUnknown(Schema.Array(Schema.Struct({ i: Schema.NumberFromString, total: DecimalString })))
const decodeEventIds = Schema.decodeUnknown(Schema.Array(Schema.Struct({ event_id: Schema.String })))
const decodeSummary = Schema.decodeUnknown(Schema.Array(UsageTotal))

export const UsageRepoLive = Layer.effect(
  UsageRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const groupArrays = (groups: ReadonlyArray<{ subscription_id: string; sku_id: string; period_start: DateTime.Utc }>) => ({
      subscriptions: groups.map((g) => g.subscription_id),
      skus: groups.map((g) => g.sku_id),
      periods: groups.map((g) => iso(g.period_start))
    })

    return UsageRepo.of({
      loadBatchContext: (subscriptionIds, skuRefs, since) =>
        orPersistenceError(Effect.flatMap(
          sql`
            select
              coalesce((
                select json_agg(json_build_object(
                         'id', s.id, 'customer_id', s.customer_id, 'lineage', s.lineage, 'status', s.status,
                         'billing_anchor', floor(extract(epoch from s.billing_anchor) * 1000)::float8,
                         'started_at', floor(extract(epoch from greatest(s.billing_anchor, s.created_at)) * 1000)::float8,
                         'time_zone', s.time_zone, 'billing_interval', s.billing_interval,
                         'current_period_start', floor(extract(epoch from s.current_period_start) * 1000)::float8,
                         'current_period_end', floor(extract(epoch from s.current_period_end) * 1000)::float8,
                         'ended_at', floor(extract(epoch from coalesce(s.cancelled_at, s.expired_at)) * 1000)::float8,
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
                         'period_start', floor(extract(epoch from bp.period_start) * 1000)::float8,
                         'invoice_status', i.status))
                  from billed_periods bp join invoices i on i.id = bp.invoice_id
                 where bp.subscription_id = any(${subscriptionIds}::text[])
                   and bp.period_end > ${iso(since)}::timestamptz), '[]'::json) as billed_periods`,
          (rows) => decodeContext(parseJsonColumns(rows[0]))
        )),

      lockDraftPeriods: (periods) =>
        orPersistenceError(Effect.flatMap(
          sql`
            select p.i::text as i, inv.id as invoice_id
              from unnest(${periods.map((p) => p.subscription_id)}::text[], ${periods.map((p) => iso(p.period_start))}::timestamptz[])
                   with ordinality as p(subscription_id, period_start, i)
              join billed_periods bp on bp.subscription_id = p.subscription_id and bp.period_start = p.period_start
              join invoices inv on inv.id = bp.invoice_id
             where inv.status = 'draft'
             order by inv.id
               for update of inv`,
          decodeLocked
        )).pipe(Effect.map((rows) => rows.map((row) => ({ index: row.i - 1, invoice_id: row.invoice_id })))),

      lockLatePeriods: (subscriptionIds, periods) =>
        orPersistenceError(Effect.zipRight(
          sql`select count(*) from (select id from subscriptions where id = any(${subscriptionIds}::text[]) order by id for share) as held`,
          Effect.flatMap(
            sql`
              select p.i::text as i, inv.status as invoice_status
                from unnest(${periods.map((p) => p.subscription_id)}::text[], ${periods.map((p) => iso(p.period_start))}::timestamptz[])
                     with ordinality as p(subscription_id, period_start, i)
                join billed_periods bp on bp.subscription_id = p.subscription_id and bp.period_start = p.period_start
                join invoices inv on inv.id = bp.invoice_id`,
            decodeBilled
          )
        )).pipe(Effect.map((rows) => rows.map((row) => ({ index: row.i - 1, invoice_status: row.invoice_status })))),

      flagForRerate: (invoiceIds) =>
        orPersistenceError(
          sql`update invoices set needs_rerate = true where id = any(${invoiceIds}::text[]) and status = 'draft'`
        ).pipe(Effect.asVoid),

      insertRecords: (records, receivedAt) =>
        records.length === 0 ? Effect.succeed([]) : orPersistenceError(Effect.flatMap(
          // `returning` cannot name the input's position; the key can, and within one statement
          // a key repeated in the input is inserted once, its first time.
          sql`
            with input as (
              select *
                from unnest(${records.map((r) => r.customer_id)}::text[], ${records.map((r) => r.transaction_id)}::text[],
                            ${records.map((r) => r.subscription_id)}::text[], ${records.map((r) => r.sku_id)}::text[],
                            ${records.map((r) => formatDecimal(r.quantity))}::numeric[],
                            ${records.map((r) => iso(r.occurred_at))}::timestamptz[],
                            ${records.map((r) => iso(r.period_start))}::timestamptz[])
                     with ordinality as r(customer_id, transaction_id, subscription_id, sku_id, quantity, occurred_at, period_start, i)
            ),
            inserted as (
              insert into usage_records
                (customer_id, transaction_id, subscription_id, sku_id, quantity, occurred_at, period_start, received_at)
              select customer_id, transaction_id, subscription_id, sku_id, quantity, occurred_at, period_start,
                     ${iso(receivedAt)}::timestamptz
                -- in key order: concurrent batches never wait on each other in a cycle
                from input order by customer_id, transaction_id, i
              on conflict (customer_id, transaction_id) do nothing
              returning customer_id, transaction_id
            )
            select min(input.i)::text as i
              from inserted join input using (customer_id, transaction_id)
             group by input.customer_id, input.transaction_id`,
          decodeIndexes
        )).pipe(Effect.map((rows) => rows.map((row) => row.i - 1).sort((a, b) => a - b))),

      addToTotals: (groups) => {
        const { periods, skus, subscriptions } = groupArrays(groups)
        // In key order, so two ingestions adding to several groups never wait on each other in a cycle.
        return orPersistenceError(Effect.flatMap(
          sql`
            with added as (
              insert into usage_totals (subscription_id, sku_id, period_start, quantity)
              select subscription_id, sku_id, period_start, quantity
                from unnest(${subscriptions}::text[], ${skus}::text[], ${periods}::timestamptz[],
                            ${groups.map((g) => formatDecimal(g.added))}::numeric[])
                     as g(subscription_id, sku_id, period_start, quantity)
               order by subscription_id, sku_id, period_start
              on conflict (subscription_id, sku_id, period_start)
              do update set quantity = usage_totals.quantity + excluded.quantity
              returning subscription_id, sku_id, period_start, quantity
            )
            select g.i::text as i, a.quantity::text as total
              from unnest(${subscriptions}::text[], ${skus}::text[], ${periods}::timestamptz[])
                   with ordinality as g(subscription_id, sku_id, period_start, i)
              join added a using (subscription_id, sku_id, period_start)
             order by g.i`,
          decodeTotals
        )).pipe(Effect.map((rows) => rows.map((row) => row.total)))
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

/** json columns come back parsed from one driver and as text from another. */
const parseJsonColumns = (row: unknown): unknown => {
  if (typeof row !== "object" || row === null) return row
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key, typeof value === "string" ? JSON.parse(value) : value])
  )
}
