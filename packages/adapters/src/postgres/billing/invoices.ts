import * as SqlClient from "@effect/sql/SqlClient"
import { BillingInvoiceRepo, type PlacedLine } from "@provisio/core/billing/ports"
import { BillingMonth, type InvoiceLineFields } from "@provisio/core/invoices/model"
import { Currency, formatDecimal } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { column, pgArray, unnestRows } from "../arrays.js"
import { invoicesToIssueSql } from "../invoices.js"
import { minorUnitsSql } from "../json.js"
import { orPersistenceError } from "../persistence.js"
import { decode, epochMillis, type Failure, iso, periodColumns } from "./common.js"

/** What billing writes, set-based: drafts, claimed periods, lines and totals; drafts re-rated and finalized. */

const DraftRow = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  currency: Currency,
  created: Schema.Boolean,
  needs_rerate: Schema.Boolean
})

const IdRow = Schema.Struct({ id: Schema.String })
const LockedInvoiceRow = Schema.Struct({ id: Schema.String, status: Schema.String, lineage: Schema.Array(Schema.String) })
const FlaggedRow = Schema.Struct({ id: Schema.String, currency: Currency, period: BillingMonth })

/**
 * Lines as one array per column, written as `InvoiceLine` encodes them (decimals as text, the
 * details' tiers too); instants as epoch milliseconds. By hand, not through the schema: a run
 * writes tens of thousands of lines, and these come from the core's own line builders.
 */
const lineColumns = (lines: ReadonlyArray<PlacedLine>) => {
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
  // Named as the statement's set names them (unnestRows); the details go apart, as one JSON array.
  const columns = {
    invoice_id: column<string>("text"),
    // The place of each line among the lines given for its invoice, from 1.
    ordinal: column<number>("int4"),
    kind: column<string>("text"),
    description: column<string>("text"),
    subscription_id: column<string | null>("text"),
    product_id: column<string | null>("text"),
    plan_id: column<string | null>("text"),
    sku_id: column<string | null>("text"),
    start_ms: column<number | null>("int8"),
    end_ms: column<number | null>("int8"),
    quantity: column<string | null>("numeric"),
    unit_price: column<string | null>("numeric"),
    amount: column<string>("numeric"),
    order_item_id: column<string | null>("text"),
    credit_note_id: column<string | null>("text"),
    priced_amount: column<string | null>("numeric"),
    tax_rate: column<string | null>("numeric"),
    tax_category: column<string | null>("text"),
    tax_reason: column<string | null>("text")
  }
  // Each line's costs up the channel, a row per buyer, placed by the line's ordinal.
  const costs = {
    invoice_id: column<string>("text"),
    ordinal: column<number>("int4"),
    buyer_account_id: column<string>("text"),
    seller_account_id: column<string>("text"),
    customer_id: column<string>("text"),
    period: column<string>("text"),
    kind: column<string>("text"),
    plan_id: column<string | null>("text"),
    sku_id: column<string | null>("text"),
    quantity: column<string | null>("numeric"),
    unit_cost: column<string | null>("numeric"),
    amount: column<string>("numeric"),
    currency: column<string>("text")
  }
  const detailsJson: Array<string> = []
  const seen = new Map<string, number>()
  // The cost rows, one per invoice, buyer, seller, period, customer, kind, plan or SKU, unit cost
  // and currency, at the ordinal of its first line, quantities and amounts summed: grouped here,
  // not by the statement, so a chunk sends a fifth of the rows (half of what it sent was costs).
  const groups = new Map<string, number>()
  const quantities: Array<BigDecimal.BigDecimal | null> = []
  const amounts: Array<BigDecimal.BigDecimal> = []
  // One pass, not a map per column: a run writes tens of thousands of lines.
  for (const { costs: lineCosts, invoice_id, line, tax } of lines) {
    const n = (seen.get(invoice_id) ?? 0) + 1
    seen.set(invoice_id, n)
    if (lineCosts !== undefined) {
      for (const tier of lineCosts.tiers) {
        // Unit costs by value, as SQL's group by took them (1.5 and 1.50 are one).
        const unitCost = tier.unit_cost === null ? "\u0001" : formatDecimal(BigDecimal.normalize(tier.unit_cost))
        const k = [invoice_id, tier.buyer_account_id, tier.seller_account_id, lineCosts.period, lineCosts.customer_id,
          line.kind, line.plan_id ?? "\u0001", line.sku_id ?? "\u0001", unitCost, lineCosts.currency].join("\u0000")
        const at = groups.get(k)
        if (at !== undefined) {
          const q = quantities[at]!
          quantities[at] = line.quantity === null ? q : q === null ? line.quantity : BigDecimal.sum(q, line.quantity)
          amounts[at] = BigDecimal.sum(amounts[at]!, tier.amount)
          continue
        }
        groups.set(k, quantities.length)
        quantities.push(line.quantity)
        amounts.push(tier.amount)
        costs.invoice_id.values.push(invoice_id)
        costs.ordinal.values.push(n)
        costs.buyer_account_id.values.push(tier.buyer_account_id)
        costs.seller_account_id.values.push(tier.seller_account_id)
        costs.customer_id.values.push(lineCosts.customer_id)
        costs.period.values.push(lineCosts.period)
        costs.kind.values.push(line.kind)
        costs.plan_id.values.push(line.plan_id)
        costs.sku_id.values.push(line.sku_id)
        costs.unit_cost.values.push(decimal(tier.unit_cost))
        costs.currency.values.push(lineCosts.currency)
      }
    }
    columns.invoice_id.values.push(invoice_id)
    columns.ordinal.values.push(n)
    columns.kind.values.push(line.kind)
    columns.description.values.push(line.description)
    columns.subscription_id.values.push(line.subscription_id)
    columns.product_id.values.push(line.product_id)
    columns.plan_id.values.push(line.plan_id)
    columns.sku_id.values.push(line.sku_id)
    columns.start_ms.values.push(millis(line.period_start))
    columns.end_ms.values.push(millis(line.period_end))
    columns.quantity.values.push(decimal(line.quantity))
    columns.unit_price.values.push(decimal(line.unit_price))
    columns.amount.values.push(formatDecimal(line.amount))
    columns.order_item_id.values.push(line.order_item_id)
    columns.credit_note_id.values.push(line.credit_note_id)
    columns.priced_amount.values.push(tax === undefined ? null : decimal(tax.priced_amount))
    columns.tax_rate.values.push(tax === undefined ? null : decimal(line.tax_rate))
    columns.tax_category.values.push(tax === undefined ? null : line.tax_category)
    columns.tax_reason.values.push(tax === undefined ? null : tax.exemption_reason)
    detailsJson.push(details(line.details))
  }
  for (const q of quantities) costs.quantity.values.push(decimal(q))
  for (const a of amounts) costs.amount.values.push(formatDecimal(a))
  return { columns, costs, detailsJson, invoiceIds: [...seen.keys()] }
}

export const BillingInvoiceRepoLive = Layer.effect(
  BillingInvoiceRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const run = <A>(effect: Effect.Effect<A, Failure>) => orPersistenceError(effect)
    const { fromMillis } = epochMillis(sql)

    return BillingInvoiceRepo.of({
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
        return run(Effect.map(
          sql<{ readonly subscription_id: string }>`
            insert into billed_periods (subscription_id, period_start, period_end, invoice_id)
            select subscription_id, ${fromMillis("start_ms")}, ${fromMillis("end_ms")}, invoice_id
              from ${unnestRows(sql, { ...periodColumns(claims), invoice_id: { type: "text", values: claims.map((c) => c.invoice_id) } })}
             order by subscription_id, start_ms
            on conflict do nothing
            returning subscription_id`,
          (rows) => rows.map((r) => r.subscription_id)
        ))
      },

      insertLines: (lines, at) => {
        if (lines.length === 0) return Effect.void
        const { columns, costs, detailsJson, invoiceIds } = lineColumns(lines)
        return run(sql`
          with last as (
            select invoice_id, max(position) as position from invoice_lines
             where invoice_id = any(${pgArray(invoiceIds)}::text[]) group by invoice_id
          )
          ${costs.invoice_id.values.length === 0 ? sql`` : sql`,
          -- The costs, a row per invoice, buyer, plan or SKU and unit cost (quantities and amounts
          -- summed in lineColumns: what upstream invoices and margins read; a row a line was five
          -- times the rows for a customer of five subscriptions). A row stands at the position of its first line
          -- (numbered as the lines are: the last position before this statement, plus the
          -- ordinal), so lines added to a draft later make rows of their own.
          costed as (
            insert into channel_costs (invoice_id, line_position, buyer_account_id, seller_account_id, period, customer_id,
                                       kind, plan_id, sku_id, quantity, unit_cost, amount, currency, created_at)
            select c.invoice_id, coalesce(last.position, 0) + c.ordinal, c.buyer_account_id, c.seller_account_id,
                   c.period, c.customer_id, c.kind, c.plan_id, c.sku_id, c.quantity, c.unit_cost, c.amount, c.currency,
                   ${iso(at)}::timestamptz
              from ${unnestRows(sql, costs, { alias: "c" })}
              left join last using (invoice_id)
            on conflict do nothing
          )`}
          insert into invoice_lines (invoice_id, position, kind, description, subscription_id, product_id, plan_id, sku_id,
                                     period_start, period_end, quantity, unit_price, amount, details, order_item_id,
                                     credit_note_id, priced_amount, tax_rate, tax_category, tax_reason)
          select r.invoice_id, coalesce(last.position, 0) + r.ordinal, r.kind, r.description, r.subscription_id,
                 r.product_id, r.plan_id, r.sku_id, ${fromMillis("r.start_ms")}, ${fromMillis("r.end_ms")},
                 r.quantity, r.unit_price, r.amount, d.details::jsonb, r.order_item_id, r.credit_note_id,
                 r.priced_amount, r.tax_rate, r.tax_category, r.tax_reason
            from ${unnestRows(sql, columns, { ordinality: "n" })}
            -- One JSON array for all the details (its elements are JSON already, so joining them
            -- needs no escaping, unlike a jsonb[] literal's), taken apart as json and each element
            -- made jsonb alone: the whole array parsed as one jsonb took 5 to 9 times as long.
            join json_array_elements(${`[${detailsJson.join(",")}]`}::json) with ordinality as d(details, n) on d.n = r.n
            left join last using (invoice_id)
           order by r.invoice_id, r.ordinal
          on conflict (order_item_id) where order_item_id is not null do nothing`).pipe(Effect.asVoid)
      },

      refreshTotals: (invoiceIds, at) =>
        invoiceIds.length === 0 ? Effect.void : run(sql`
          update invoices i
             set subtotal = t.subtotal, total = t.subtotal + x.tax_total + t.credits, tax = x.tax, tax_total = x.tax_total,
                 amount_due = t.subtotal + x.tax_total + t.credits - i.amount_paid, updated_at = ${iso(at)}
            from (select inv.id, ii.currency,
                         coalesce(sum(l.amount) filter (where l.kind <> 'credit'), 0) as subtotal,
                         coalesce(sum(l.amount) filter (where l.kind = 'credit'), 0) as credits
                    from unnest(${pgArray(invoiceIds)}::text[]) as inv(id)
                    join invoices ii on ii.id = inv.id
                    left join invoice_lines l on l.invoice_id = inv.id
                   group by inv.id, ii.currency) t
           cross join lateral provisio_invoice_tax(t.id, ${sql.unsafe(minorUnitsSql("t.currency"))}) x
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
          sql`select id, currency, period from invoices
               where status = 'draft' and needs_rerate ${ids === undefined ? sql`` : sql`and id = any(${pgArray(ids)}::text[])`}
               order by id for update`,
          decode(FlaggedRow)
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
