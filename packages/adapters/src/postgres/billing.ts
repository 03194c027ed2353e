import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { BillableSubscription, OneOffItem, SkuPricing } from "@provisio/core/billing/build"
import { BillingRun, type StoredBillingRun } from "@provisio/core/billing/model"
import { BillingRepo, type PeriodKey } from "@provisio/core/billing/ports"
import { BillingInterval, PriceModelName, type SkuId, skuPriceModel } from "@provisio/core/catalog/model"
import { Tier } from "@provisio/core/catalog/pricing"
import type { InvoiceLineFields } from "@provisio/core/invoices/model"
import { Currency, DecimalString, formatDecimal, money } from "@provisio/core/shared/money"
import { Timestamp } from "@provisio/core/shared/time"
import { SubscriptionStatus } from "@provisio/core/subscriptions/model"
import { BigDecimal, type Cause, DateTime, Effect, Layer, Option, type ParseResult, Schema } from "effect"
import { pgArray } from "./arrays.js"
import { invoicesToIssueSql } from "./invoices.js"
import { epochMillisSql, fromEpochMillisSql } from "./json.js"
import { orPersistenceError } from "./persistence.js"

/**
 * The set-based SQL of billing runs: every method is one statement over all the rows it is
 * given, passed as arrays (`unnest`) or one jsonb parameter (`jsonb_to_recordset`), so a chunk
 * of a run costs the same number of statements for 5 customers or 500. NUMERIC travels as text.
 */

type Failure = SqlError | ParseResult.ParseError | Cause.NoSuchElementException

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

const decode = <A, I>(schema: Schema.Schema<A, I>) => (rows: ReadonlyArray<unknown>) =>
  Schema.decodeUnknown(Schema.Array(schema))(rows)

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

const CustomerRow = Schema.Struct({
  id: Schema.String,
  partner_id: Schema.String,
  lineage: Schema.Array(Schema.String),
  timezone: Schema.String
})

const SubscriptionRow = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  product_id: Schema.String,
  parent_subscription_id: Schema.NullOr(Schema.String),
  anchor: Timestamp,
  time_zone: Schema.String,
  interval: BillingInterval,
  created_at: Timestamp
})

const instant = (millis: number) => DateTime.unsafeMake(millis)

// The rows a chunk of a run reads, tens of thousands of them, as the queries below write them
// (instants as epoch milliseconds): mapped by hand rather than decoded.

interface SubscriptionJson {
  readonly id: string
  readonly customer_id: string
  readonly product_id: string
  readonly parent_subscription_id: string | null
  readonly anchor: number
  readonly time_zone: string
  readonly interval: BillingInterval
  readonly created_at: number
}

// Field by field: overriding fields of a spread costs V8 microseconds a row.
const toBillable = (row: SubscriptionJson): BillableSubscription => ({
  id: row.id,
  customer_id: row.customer_id,
  product_id: row.product_id,
  parent_subscription_id: row.parent_subscription_id,
  anchor: instant(row.anchor),
  time_zone: row.time_zone,
  interval: row.interval,
  created_at: instant(row.created_at)
})

interface HistoryJson {
  readonly subscription_id: string
  readonly effective_at: number
  readonly quantity: number
  readonly plan_id: string
  readonly plan_version: number
  readonly status: SubscriptionStatus
  readonly plan_name: string
  readonly price_amount: string
  readonly price_currency: Currency
  readonly commitment_months: number | null
}

const SkuRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  currency: Currency,
  model: PriceModelName,
  unit_price: Schema.NullOr(DecimalString),
  package_size: Schema.NullOr(Schema.Int),
  tiers: Schema.Array(Tier)
})

const OneOffRow = Schema.Struct({
  customer_id: Schema.String,
  order_item_id: Schema.String,
  sku_id: Schema.NullOr(Schema.String),
  description: Schema.String,
  quantity: Schema.Int,
  unit_price: Schema.NullOr(DecimalString),
  amount: DecimalString,
  currency: Currency
})

const CreditRow = Schema.Struct({ credit_note_id: Schema.String, currency: Schema.String, remaining: DecimalString })

const DraftRow = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  currency: Currency,
  created: Schema.Boolean,
  needs_rerate: Schema.Boolean
})

const BilledPeriodRow = Schema.Struct({
  invoice_id: Schema.String,
  period_start: Timestamp,
  period_end: Timestamp,
  ...SubscriptionRow.fields
})

const IdRow = Schema.Struct({ id: Schema.String })
const LockedInvoiceRow = Schema.Struct({ id: Schema.String, status: Schema.String, lineage: Schema.Array(Schema.String) })
const FlaggedRow = Schema.Struct({ id: Schema.String, currency: Currency })

/**
 * Lines as one array per column, written as `InvoiceLine` encodes them (decimals as text, the
 * details' tiers too); instants as epoch milliseconds. By hand, not through the schema: a run
 * writes tens of thousands of lines, and these come from the core's own line builders.
 */
const lineColumns = (lines: ReadonlyArray<{ readonly invoice_id: string; readonly line: InvoiceLineFields }>) => {
  const decimal = (n: BigDecimal.BigDecimal | null) => (n === null ? null : formatDecimal(n))
  const millis = (at: DateTime.Utc | null) => (at === null ? null : DateTime.toEpochMillis(at))
  const details = (d: InvoiceLineFields["details"]) => {
    if (d.tiers === undefined) return JSON.stringify(d)
    // Copied key by key, not spread with an override (a slow path of V8's, per usage line).
    const encoded: Record<string, unknown> = {}
    for (const k in d) encoded[k] = d[k as keyof typeof d]
    encoded["tiers"] = d.tiers.map((t) => ({
      tier: t.tier,
      units: formatDecimal(t.units),
      quantity: formatDecimal(t.quantity),
      unit_price: formatDecimal(t.unit_price),
      flat_fee: formatDecimal(t.flat_fee),
      amount: formatDecimal(t.amount)
    }))
    return JSON.stringify(encoded)
  }
  const columns = {
    invoice: [] as Array<string>,
    // The place of each line among the lines given for its invoice, from 1.
    ordinal: [] as Array<number>,
    kind: [] as Array<string>,
    description: [] as Array<string>,
    subscription: [] as Array<string | null>,
    product: [] as Array<string | null>,
    plan: [] as Array<string | null>,
    sku: [] as Array<string | null>,
    periodStart: [] as Array<number | null>,
    periodEnd: [] as Array<number | null>,
    quantity: [] as Array<string | null>,
    unitPrice: [] as Array<string | null>,
    amount: [] as Array<string>,
    details: [] as Array<string>,
    orderItem: [] as Array<string | null>,
    creditNote: [] as Array<string | null>
  }
  const seen = new Map<string, number>()
  // One pass, not a map per column: a run writes tens of thousands of lines.
  for (const { invoice_id, line } of lines) {
    const n = (seen.get(invoice_id) ?? 0) + 1
    seen.set(invoice_id, n)
    columns.invoice.push(invoice_id)
    columns.ordinal.push(n)
    columns.kind.push(line.kind)
    columns.description.push(line.description)
    columns.subscription.push(line.subscription_id)
    columns.product.push(line.product_id)
    columns.plan.push(line.plan_id)
    columns.sku.push(line.sku_id)
    columns.periodStart.push(millis(line.period_start))
    columns.periodEnd.push(millis(line.period_end))
    columns.quantity.push(decimal(line.quantity))
    columns.unitPrice.push(decimal(line.unit_price))
    columns.amount.push(formatDecimal(line.amount))
    columns.details.push(details(line.details))
    columns.orderItem.push(line.order_item_id)
    columns.creditNote.push(line.credit_note_id)
  }
  return columns
}

const periodArrays = (periods: ReadonlyArray<PeriodKey>) => ({
  ids: periods.map((p) => p.subscription_id),
  starts: periods.map((p) => DateTime.toEpochMillis(p.period_start)),
  ends: periods.map((p) => DateTime.toEpochMillis(p.period_end))
})

export const BillingRepoLive = Layer.effect(
  BillingRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const run = <A>(effect: Effect.Effect<A, Failure>) => orPersistenceError(effect)

    const millisOf = (column: string) => sql.unsafe(epochMillisSql(column))
    const fromMillis = (millis: string) => sql.unsafe(fromEpochMillisSql(millis))

    const firstRun = (rows: ReadonlyArray<unknown>) =>
      Effect.map(decode(RunRow)(rows.slice(0, 1)), (decoded) => Option.map(Option.fromNullable(decoded[0]), toStoredRun))

    const selectRun = (id: string) => Effect.flatMap(sql`select * from billing_runs where id = ${id}`, firstRun)
    const findRun = (id: string) => run(selectRun(id))

    const customerSelect = sql`select id, partner_id, lineage, timezone from customers`

    return BillingRepo.of({
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

      findRun,

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
           where id = ${id} and status <> 'completed'`).pipe(Effect.asVoid),

      customersIn: (within, after, last) =>
        run(Effect.flatMap(
          sql`${customerSelect}
               where lineage @> array[${within}]::text[]
                 ${after === null ? sql`` : sql`and id > ${after}`}
                 ${last === null ? sql`` : sql`and id <= ${last}`}
               order by id`,
          decode(CustomerRow)
        )),

      customer: (id) =>
        run(Effect.flatMap(sql`${customerSelect} where id = ${id}`, decode(CustomerRow))).pipe(
          Effect.map((rows) => Option.fromNullable(rows[0]))
        ),

      subscriptionsOf: (customerIds, from, to) =>
        customerIds.length === 0 ? Effect.succeed([]) : run(Effect.map(
          sql<SubscriptionJson>`
            select id, customer_id, product_id, parent_subscription_id, ${millisOf("billing_anchor")} as anchor,
                   time_zone, billing_interval as interval, ${millisOf("created_at")} as created_at
              from subscriptions
             where customer_id = any(${pgArray(customerIds)}::text[]) and status <> 'pending'
               and billing_anchor < ${iso(to)}
               and (status in ('active', 'suspended') or coalesce(cancelled_at, expired_at, updated_at) > ${iso(from)})
             order by id`,
          (rows) => rows.map(toBillable)
        )),

      lockSubscriptions: (ids) =>
        ids.length === 0 ? Effect.void : run(Effect.asVoid(sql`
          select count(*) from (
            select id from subscriptions where id = any(${pgArray(ids)}::text[]) order by id for no key update
          ) as held`)),

      historyOf: (periods) => {
        if (periods.length === 0) return Effect.succeed([])
        const p = periodArrays(periods)
        return run(Effect.map(
          sql<HistoryJson>`
            select h.subscription_id, ${millisOf("h.effective_at")} as effective_at, h.quantity, h.plan_id, h.plan_version,
                   h.status, v.name as plan_name, v.price_amount::text as price_amount, v.price_currency, v.commitment_months
              from unnest(${pgArray(p.ids)}::text[], ${pgArray(p.starts)}::int8[], ${pgArray(p.ends)}::int8[]) as k(subscription_id, start_ms, end_ms)
              cross join lateral (
                select ${fromMillis("k.start_ms")} as period_start,
                       ${fromMillis("k.end_ms")} as period_end
              ) p
              join subscription_history h
                on h.subscription_id = k.subscription_id and h.effective_at < p.period_end
               and h.effective_at >= coalesce(
                     (select max(h2.effective_at) from subscription_history h2
                       where h2.subscription_id = k.subscription_id and h2.effective_at <= p.period_start),
                     '-infinity'::timestamptz)
              join plan_versions v on v.plan_id = h.plan_id and v.version = h.plan_version
             order by h.subscription_id, h.effective_at, h.id`,
          (rows) =>
            rows.map((r) => ({
              subscription_id: r.subscription_id,
              row: {
                effective_at: instant(r.effective_at),
                quantity: r.quantity,
                plan_id: r.plan_id,
                plan_version: r.plan_version,
                status: r.status
              },
              plan: {
                plan_id: r.plan_id,
                version: r.plan_version,
                name: r.plan_name,
                price: money(BigDecimal.unsafeFromString(r.price_amount), r.price_currency),
                commitment_months: r.commitment_months
              }
            }))
        ))
      },

      usageOf: (periods) => {
        if (periods.length === 0) return Effect.succeed([])
        const p = periodArrays(periods)
        // The running totals ingestion keeps: one row per period and SKU, not its records.
        return run(Effect.map(
          sql<{ readonly subscription_id: string; readonly start_ms: number; readonly sku_id: string; readonly quantity: string }>`
            select k.subscription_id, k.start_ms::float8 as start_ms, u.sku_id, u.quantity::text as quantity
              from unnest(${pgArray(p.ids)}::text[], ${pgArray(p.starts)}::int8[]) as k(subscription_id, start_ms)
              join usage_totals u
                on u.subscription_id = k.subscription_id and u.period_start = ${fromMillis("k.start_ms")}`,
          (rows) =>
            rows.map((r) => ({
              subscription_id: r.subscription_id,
              period_start: instant(r.start_ms),
              sku_id: r.sku_id,
              quantity: BigDecimal.unsafeFromString(r.quantity)
            }))
        ))
      },

      skus: (ids) =>
        ids.length === 0 ? Effect.succeed([]) : run(Effect.map(
          Effect.flatMap(
            sql`
              select s.id, s.name, s.currency, s.model, s.unit_price::text as unit_price, s.package_size,
                     coalesce((select json_agg(
                                        jsonb_build_object('up_to', t.up_to, 'unit_price', t.unit_price::text)
                                        || case when t.flat_fee is null then '{}'::jsonb
                                                else jsonb_build_object('flat_fee', t.flat_fee::text) end
                                        order by t.position)
                                 from sku_tiers t where t.sku_id = s.id), '[]'::json) as tiers
                from skus s where s.id = any(${pgArray(ids)}::text[])`,
            decode(SkuRow)
          ),
          (rows) =>
            rows.map((s): SkuPricing => ({ id: s.id, name: s.name, currency: s.currency, model: skuPriceModel({ ...s, id: s.id as SkuId }) }))
        )),

      oneOffsOf: (customers) =>
        customers.length === 0 ? Effect.succeed([]) : run(Effect.map(
          Effect.flatMap(
            sql`
              select o.customer_id, i.id as order_item_id, i.sku_id, coalesce(s.name, 'One-off purchase') as description,
                     i.quantity, i.unit_price_amount::text as unit_price, i.amount::text as amount,
                     i.amount_currency as currency
                from unnest(${pgArray(customers.map((c) => c.id))}::text[], ${pgArray(customers.map((c) => iso(c.before)))}::timestamptz[])
                       as c(id, before)
                join orders o on o.customer_id = c.id and o.status = 'completed' and o.completed_at < c.before
                join order_items i on i.order_id = o.id and i.action = 'purchase' and i.status = 'completed'
                                  and i.amount is not null
                left join skus s on s.id = i.sku_id
               where not exists (select 1 from invoice_lines l where l.order_item_id = i.id)
               order by o.customer_id, o.completed_at, i.id`,
            decode(OneOffRow)
          ),
          (rows) =>
            rows.map((r) => ({
              customer_id: r.customer_id,
              item: {
                order_item_id: r.order_item_id,
                sku_id: r.sku_id,
                description: r.description,
                quantity: r.quantity,
                unit_price: r.unit_price,
                amount: money(r.amount, r.currency)
              } satisfies OneOffItem
            }))
        )),

      creditsOf: (customerId) =>
        run(Effect.flatMap(
          sql`select id as credit_note_id, currency, remaining::text as remaining from credit_notes
               where customer_id = ${customerId} and remaining > 0 order by created_at, id`,
          decode(CreditRow)
        )),

      upsertDrafts: (drafts, finalizesAt, at) =>
        drafts.length === 0 ? Effect.succeed([]) : run(Effect.flatMap(
          sql`
            insert into invoices (id, customer_id, lineage, issuer_account_id, status, currency, period, billing_run_id,
                                  finalizes_at, created_at, updated_at)
            select d.id, d.customer_id, d.lineage, d.issuer_account_id, 'draft', d.currency, d.period, d.billing_run_id,
                   ${iso(finalizesAt)}, ${iso(at)}, ${iso(at)}
              from (${invoicesToIssueSql(sql, drafts)}) d
             order by d.customer_id, d.currency
            on conflict (customer_id, currency, period) where status = 'draft'
              do update set updated_at = excluded.updated_at
            returning id, customer_id, currency, (xmax::text = '0') as created, needs_rerate`,
          decode(DraftRow)
        )),

      openDrafts: (wanted) =>
        wanted.length === 0 ? Effect.succeed([]) : run(Effect.flatMap(
          sql`
            select i.id, i.customer_id, i.currency, false as created, i.needs_rerate
              from invoices i
              join unnest(${pgArray(wanted.map((w) => w.customer_id))}::text[], ${pgArray(wanted.map((w) => w.currency))}::text[],
                          ${pgArray(wanted.map((w) => w.period))}::text[]) as w(customer_id, currency, period)
                on i.customer_id = w.customer_id and i.currency = w.currency and i.period = w.period
             where i.status = 'draft'
             order by i.id
               for update of i`,
          decode(DraftRow)
        )),

      claimPeriods: (claims) => {
        if (claims.length === 0) return Effect.succeed([])
        const p = periodArrays(claims)
        return run(Effect.map(
          sql<{ readonly subscription_id: string }>`
            insert into billed_periods (subscription_id, period_start, period_end, invoice_id)
            select subscription_id, ${fromMillis("start_ms")}, ${fromMillis("end_ms")}, invoice_id
              from unnest(${pgArray(p.ids)}::text[], ${pgArray(p.starts)}::int8[], ${pgArray(p.ends)}::int8[],
                          ${pgArray(claims.map((c) => c.invoice_id))}::text[])
                     as c(subscription_id, start_ms, end_ms, invoice_id)
             order by subscription_id, start_ms
            on conflict do nothing
            returning subscription_id`,
          (rows) => rows.map((r) => r.subscription_id)
        ))
      },

      insertLines: (lines) => {
        if (lines.length === 0) return Effect.void
        const c = lineColumns(lines)
        return run(sql`
          with last as (
            select invoice_id, max(position) as position from invoice_lines
             where invoice_id = any(${pgArray([...new Set(c.invoice)])}::text[]) group by invoice_id
          )
          insert into invoice_lines (invoice_id, position, kind, description, subscription_id, product_id, plan_id, sku_id,
                                     period_start, period_end, quantity, unit_price, amount, details, order_item_id,
                                     credit_note_id)
          select r.invoice_id, coalesce(last.position, 0) + r.ordinal, r.kind, r.description, r.subscription_id,
                 r.product_id, r.plan_id, r.sku_id, ${fromMillis("r.start_ms")}, ${fromMillis("r.end_ms")},
                 r.quantity, r.unit_price, r.amount,
                 -- One JSON array for all the details, parsed once (its elements are JSON already,
                 -- so joining them needs no escaping, unlike a jsonb[] literal's).
                 ${`[${c.details.join(",")}]`}::jsonb -> (r.n - 1)::int, r.order_item_id, r.credit_note_id
            from unnest(${pgArray(c.invoice)}::text[], ${pgArray(c.ordinal)}::int4[], ${pgArray(c.kind)}::text[],
                        ${pgArray(c.description)}::text[], ${pgArray(c.subscription)}::text[], ${pgArray(c.product)}::text[],
                        ${pgArray(c.plan)}::text[], ${pgArray(c.sku)}::text[], ${pgArray(c.periodStart)}::int8[],
                        ${pgArray(c.periodEnd)}::int8[], ${pgArray(c.quantity)}::numeric[], ${pgArray(c.unitPrice)}::numeric[],
                        ${pgArray(c.amount)}::numeric[], ${pgArray(c.orderItem)}::text[], ${pgArray(c.creditNote)}::text[])
                   with ordinality
                   as r(invoice_id, ordinal, kind, description, subscription_id, product_id, plan_id, sku_id,
                        start_ms, end_ms, quantity, unit_price, amount, order_item_id, credit_note_id, n)
            left join last using (invoice_id)
           order by r.invoice_id, r.ordinal
          on conflict (order_item_id) where order_item_id is not null do nothing`).pipe(Effect.asVoid)
      },

      refreshTotals: (invoiceIds, at) =>
        invoiceIds.length === 0 ? Effect.void : run(sql`
          update invoices i
             set subtotal = t.subtotal, total = t.subtotal + t.credits,
                 amount_due = t.subtotal + t.credits - i.amount_paid, updated_at = ${iso(at)}
            from (select inv.id,
                         coalesce(sum(l.amount) filter (where l.kind <> 'credit'), 0) as subtotal,
                         coalesce(sum(l.amount) filter (where l.kind = 'credit'), 0) as credits
                    from unnest(${pgArray(invoiceIds)}::text[]) as inv(id)
                    left join invoice_lines l on l.invoice_id = inv.id
                   group by inv.id) t
           where i.id = t.id`).pipe(Effect.asVoid),

      deleteEmptyDrafts: (invoiceIds) =>
        invoiceIds.length === 0 ? Effect.succeed(0) : run(Effect.map(
          sql`delete from invoices i
               where i.id = any(${pgArray(invoiceIds)}::text[]) and i.status = 'draft'
                 and not exists (select 1 from invoice_lines l where l.invoice_id = i.id)
               returning id`,
          (rows) => rows.length
        )),

      lockFlaggedDrafts: (ids) =>
        ids !== undefined && ids.length === 0 ? Effect.succeed([]) : run(Effect.flatMap(
          sql`select id, currency from invoices
               where status = 'draft' and needs_rerate ${ids === undefined ? sql`` : sql`and id = any(${pgArray(ids)}::text[])`}
               order by id for update`,
          decode(FlaggedRow)
        )),

      billedPeriodsOf: (invoiceIds) =>
        invoiceIds.length === 0 ? Effect.succeed([]) : run(Effect.map(
          Effect.flatMap(
            sql`
              select bp.invoice_id, bp.period_start, bp.period_end, s.id, s.customer_id, s.product_id,
                     s.parent_subscription_id, s.billing_anchor as anchor, s.time_zone, s.billing_interval as interval,
                     s.created_at
                from billed_periods bp join subscriptions s on s.id = bp.subscription_id
               where bp.invoice_id = any(${pgArray(invoiceIds)}::text[])
               order by s.id`,
            decode(BilledPeriodRow)
          ),
          (rows) =>
            rows.map(({ invoice_id, period_end, period_start, ...subscription }) => ({
              invoice_id,
              subscription_id: subscription.id,
              period_start,
              period_end,
              subscription
            }))
        )),

      deleteUsageLines: (invoiceIds) =>
        invoiceIds.length === 0 ? Effect.void : run(
          sql`delete from invoice_lines where invoice_id = any(${pgArray(invoiceIds)}::text[]) and kind = 'usage'`
        ).pipe(Effect.asVoid),

      clearRerate: (invoiceIds) =>
        invoiceIds.length === 0 ? Effect.void : run(
          sql`update invoices set needs_rerate = false where id = any(${pgArray(invoiceIds)}::text[])`
        ).pipe(Effect.asVoid),

      dueDrafts: (at, limit) =>
        run(Effect.map(
          Effect.flatMap(
            sql`select id from invoices where status = 'draft' and finalizes_at <= ${iso(at)}
                 order by finalizes_at, id limit ${limit}`,
            decode(IdRow)
          ),
          (rows) => rows.map((r) => r.id)
        )),

      lockInvoice: (id) =>
        run(Effect.flatMap(sql`select id, status, lineage from invoices where id = ${id} for update`, decode(LockedInvoiceRow))).pipe(
          Effect.map((rows) => Option.fromNullable(rows[0]))
        )
    })
  })
)
