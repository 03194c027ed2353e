import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { UpstreamInvoice } from "@provisio/core/channel/model"
import { type PendingCost, UpstreamInvoiceRepo, type UpstreamToIssue } from "@provisio/core/channel/ports"
import type { BillingMonth } from "@provisio/core/invoices/model"
import { type Currency, formatDecimal } from "@provisio/core/shared/money"
import { type PageRequest, toPage } from "@provisio/core/shared/pagination"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { isoSql, minorUnitsSql, moneySql, parseJson } from "../json.js"
import { pageClause } from "../pagination.js"
import { orPersistenceError } from "../persistence.js"

/**
 * Upstream invoices (docs/channel.md): their own tables, numbered from the sequence customer
 * invoices of the same issuer use (so an issuer's numbers stay one gapless series), written in
 * three statements whatever their number (the invoices, their lines, the costs they bill marked).
 */

/** Digits of a number, as customer invoices have (invoices.ts). */
const NUMBER_DIGITS = 6

const format = formatDecimal

const upstreamJson = (u: string) => `json_build_object(
  'id', ${u}.id, 'number', ${u}.number, 'customer_id', null, 'issuer_account_id', ${u}.issuer_account_id,
  'bill_to_account_id', ${u}.bill_to_account_id, 'status', ${u}.status, 'currency', ${u}.currency, 'period', ${u}.period,
  'billing_run_id', ${u}.billing_run_id,
  'lines', coalesce((select json_agg(json_build_object(
             'description', l.description, 'plan_id', l.plan_id, 'sku_id', l.sku_id, 'quantity', l.quantity::text,
             'amount', round(l.amount, ${minorUnitsSql(`${u}.currency`)})::text, 'tax_rate', l.tax_rate::text, 'tax_category', l.tax_category) order by l.position)
           from upstream_invoice_lines l where l.invoice_id = ${u}.id), '[]'),
  'subtotal', ${moneySql(`${u}.subtotal`, `${u}.currency`)},
  'tax', coalesce((select json_agg(json_build_object(
             'category', t->>'category', 'rate', t->>'rate',
             'taxable_amount', json_build_object('amount', t->>'taxable_amount', 'currency', ${u}.currency),
             'tax_amount', json_build_object('amount', t->>'tax_amount', 'currency', ${u}.currency),
             'exemption_reason', t->>'exemption_reason') order by n)
           from jsonb_array_elements(${u}.tax) with ordinality as x(t, n)), '[]'),
  'tax_total', ${moneySql(`${u}.tax_total`, `${u}.currency`)},
  'total', ${moneySql(`${u}.total`, `${u}.currency`)},
  'finalized_at', ${isoSql(`${u}.finalized_at`)}, 'created_at', ${isoSql(`${u}.created_at`)},
  'updated_at', ${isoSql(`${u}.updated_at`)})`

const Rows = Schema.Array(Schema.Struct({ invoice: UpstreamInvoice, lineage: Schema.Array(Schema.String) }))

interface PendingRow {
  readonly seller_account_id: string
  readonly buyer_account_id: string
  readonly buyer_lineage: ReadonlyArray<string>
  readonly currency: Currency
  readonly plan_id: string | null
  readonly sku_id: string | null
  readonly description: string
  readonly quantity: string
  readonly amount: string
}

export const UpstreamInvoiceRepoLive = Layer.effect(
  UpstreamInvoiceRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const select = (where: Statement.Fragment) =>
      Effect.flatMap(
        sql<{ readonly invoice: unknown; readonly lineage: unknown }>`
          select ${sql.unsafe(upstreamJson("u"))} as invoice, u.lineage from upstream_invoices u ${where}`,
        (rows) => Schema.decodeUnknown(Rows)(rows.map((r) => ({ invoice: parseJson(r.invoice), lineage: r.lineage })))
      )

    const pendingCosts = (period: BillingMonth, within: string) =>
      Effect.map(
        sql<PendingRow>`
          with pending as (
            select k.seller_account_id, k.buyer_account_id, k.currency, k.plan_id, k.sku_id, k.quantity, k.amount
              from channel_costs k
              join customers c on c.id = k.customer_id
              -- Only what the customer was invoiced for for good: a draft may still be re-rated.
              join invoices i on i.id = k.invoice_id and i.status in ('finalized', 'paid')
             where k.period = ${period} and k.upstream_invoice_id is null and c.lineage @> array[${within}]::text[]
               and exists (select 1 from account_settings st
                            where st.account_id = k.seller_account_id and (st.channel->>'upstream_invoicing')::boolean)
               for update of k
          )
          select p.seller_account_id, p.buyer_account_id, a.lineage as buyer_lineage, p.currency, p.plan_id, p.sku_id,
                 coalesce(pl.name, s.name, coalesce(p.plan_id, p.sku_id)) as description,
                 sum(p.quantity)::text as quantity, sum(p.amount)::text as amount
            from pending p
            join accounts a on a.id = p.buyer_account_id
            left join plans pl on pl.id = p.plan_id
            left join skus s on s.id = p.sku_id
           group by p.seller_account_id, p.buyer_account_id, a.lineage, p.currency, p.plan_id, p.sku_id, pl.name, s.name
           order by p.seller_account_id, p.buyer_account_id, p.currency, p.plan_id nulls last, p.sku_id`,
        (rows): ReadonlyArray<PendingCost> =>
          rows.map((r) => ({
            ...r,
            quantity: BigDecimal.unsafeFromString(r.quantity),
            amount: BigDecimal.unsafeFromString(r.amount)
          }))
      )

    const issue = (invoices: ReadonlyArray<UpstreamToIssue>, within: string, at: DateTime.Utc) =>
      Effect.gen(function* () {
        if (invoices.length === 0) return
        const iso = DateTime.formatIso(at)
        const year = DateTime.getPartUtc(at, "year")
        const heads = JSON.stringify(invoices.map((u, n) => ({
          n,
          id: u.id,
          issuer: u.issuer_account_id,
          bill_to: u.bill_to_account_id,
          currency: u.currency,
          period: u.period,
          run: u.billing_run_id,
          subtotal: format(u.subtotal),
          tax: u.tax.map((t) => ({
            category: t.category,
            rate: format(t.rate),
            taxable_amount: format(t.taxable_amount.amount),
            tax_amount: format(t.tax_amount.amount),
            exemption_reason: t.exemption_reason
          })),
          tax_total: format(u.tax_total),
          total: format(u.total)
        })))
        // Numbers: one upsert per issuer takes the next numbers of its year, as finalization does.
        yield* sql`
          with input as (
            select d.*, row_number() over (partition by d.issuer order by d.n) as place,
                   count(*) over (partition by d.issuer) as taken
              from jsonb_to_recordset(${heads}::jsonb) as d(n int, id text, issuer text, bill_to text, currency text,
                     period text, run text, subtotal numeric, tax jsonb, tax_total numeric, total numeric)
          ),
          sequences as (
            insert into invoice_number_sequences (issuer_account_id, year, last_number)
            select issuer, ${year}, count(*) from input group by issuer order by issuer
            on conflict (issuer_account_id, year)
              do update set last_number = invoice_number_sequences.last_number + excluded.last_number
            returning issuer_account_id, last_number
          )
          insert into upstream_invoices (id, number, issuer_account_id, bill_to_account_id, lineage, status, currency, period,
                                         billing_run_id, subtotal, tax, tax_total, total, finalized_at, created_at, updated_at)
          select d.id, 'INV-' || ${year} || '-' || lpad(k.n, greatest(${NUMBER_DIGITS}, length(k.n)), '0'),
                 d.issuer, d.bill_to, a.lineage, 'finalized', d.currency, d.period, d.run, d.subtotal, d.tax, d.tax_total,
                 d.total, ${iso}, ${iso}, ${iso}
            from input d
            join sequences s on s.issuer_account_id = d.issuer
            join accounts a on a.id = d.bill_to
           cross join lateral (select (s.last_number - d.taken + d.place)::text as n) k
           order by d.id`
        const lines = JSON.stringify(invoices.flatMap((u) =>
          u.lines.map((l, position) => ({
            invoice_id: u.id,
            position,
            description: l.description,
            plan_id: l.plan_id,
            sku_id: l.sku_id,
            quantity: format(l.quantity),
            amount: format(l.amount),
            tax_rate: l.tax_rate === null ? null : format(l.tax_rate),
            tax_category: l.tax_category,
            tax_reason: l.tax_reason
          }))
        ))
        yield* sql`
          insert into upstream_invoice_lines (invoice_id, position, description, plan_id, sku_id, quantity, amount,
                                              tax_rate, tax_category, tax_reason)
          select * from jsonb_to_recordset(${lines}::jsonb) as l(invoice_id text, position int, description text, plan_id text,
                          sku_id text, quantity numeric, amount numeric, tax_rate numeric, tax_category text, tax_reason text)`
        // The costs billed: those pendingCosts read and locked (same seller, buyer, currency, period and scope).
        yield* sql`
          update channel_costs k set upstream_invoice_id = d.id
            from jsonb_to_recordset(${heads}::jsonb) as d(id text, issuer text, bill_to text, currency text, period text),
                 customers c
           where k.seller_account_id = d.issuer and k.buyer_account_id = d.bill_to and k.currency = d.currency
             and k.period = d.period and k.upstream_invoice_id is null
             and c.id = k.customer_id and c.lineage @> array[${within}]::text[]
             and exists (select 1 from invoices i where i.id = k.invoice_id and i.status in ('finalized', 'paid'))`
      })

    const list = (accountId: string, filter: { readonly period?: BillingMonth | undefined }, page: PageRequest) =>
      Effect.map(
        select(sql`where u.lineage @> array[${accountId}]::text[]
                   ${filter.period === undefined ? sql`` : sql`and u.period = ${filter.period}`}
                   ${pageClause(sql, page, "id", true)}`),
        (rows) => {
          const paged = toPage(rows.map((r) => ({ id: r.invoice.id, stored: r })), page)
          return { ...paged, items: paged.items.map((i) => i.stored) }
        }
      )

    return UpstreamInvoiceRepo.of({
      pendingCosts: (period, within) => orPersistenceError(pendingCosts(period, within)),
      issue: (invoices, within, at) => orPersistenceError(issue(invoices, within, at)),
      list: (accountId, filter, page) => orPersistenceError(list(accountId, filter, page)),
      findById: (id) => orPersistenceError(Effect.map(select(sql`where u.id = ${id}`), (rows) => Option.fromNullable(rows[0])))
    })
  })
)
