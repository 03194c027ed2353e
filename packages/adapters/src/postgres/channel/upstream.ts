import * as SqlClient from "@effect/sql/SqlClient"
import { DEFAULT_PAYMENT_TERMS_DAYS } from "@provisio/core/collection/model"
import { type PendingCost, UpstreamInvoiceRepo, type UpstreamToIssue } from "@provisio/core/channel/ports"
import type { BillingMonth } from "@provisio/core/invoices/model"
import { type Currency, formatDecimal } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { PartySources } from "@provisio/core/documents/ports"
import * as Schema from "effect/Schema"
import { Kept } from "../documents/parties.js"
import { invoiceNumberSql, takeNumbersSql } from "../invoices/numbers.js"
import { parseJson } from "../json.js"
import { orPersistenceError } from "../persistence.js"
import { listUpstream, selectUpstream } from "./upstream-read.js"
import { payUpstream, voidUpstream } from "./upstream-settle.js"

/**
 * Upstream invoices (docs/channel.md): their own tables, numbered from the sequence customer
 * invoices of the same issuer use (so an issuer's numbers stay one gapless series), written in
 * three statements whatever their number (the invoices, their lines, the costs they bill marked).
 */

const decodeParties = Schema.decodeUnknown(Kept)

const format = formatDecimal

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
        // Numbers: from the issuer's series, the one its customers' invoices take (invoices/numbers.ts).
        yield* sql`
          with input as (
            select d.*, row_number() over (partition by d.issuer order by d.n) as place,
                   count(*) over (partition by d.issuer) as taken
              from jsonb_to_recordset(${heads}::jsonb) as d(n int, id text, issuer text, bill_to text, currency text,
                     period text, run text, subtotal numeric, tax jsonb, tax_total numeric, total numeric)
          ),
          sequences as (${takeNumbersSql(sql, "input", "issuer", year)})
          insert into upstream_invoices (id, number, issuer_account_id, bill_to_account_id, lineage, status, currency, period,
                                         billing_run_id, subtotal, tax, tax_total, total, finalized_at, created_at, updated_at,
                                         due_at, due_date, parties)
          select d.id, ${invoiceNumberSql(sql, year, "k.n")},
                 d.issuer, d.bill_to, a.lineage, 'finalized', d.currency, d.period, d.run, d.subtotal, d.tax, d.tax_total,
                 d.total, ${iso}, ${iso}, ${iso}, due.at, (due.at at time zone 'UTC')::date,
                 -- The parties as they are now, so the invoice's documents never change (migration 0035).
                 provisio_upstream_parties(d.issuer, d.bill_to)
            from input d
            join sequences s on s.issuer_account_id = d.issuer
            join accounts a on a.id = d.bill_to
           cross join lateral (select (s.last_number - d.taken + d.place)::text as n) k
           -- Due after the issuer's payment terms, as its customers' invoices are by default.
           cross join lateral (select ${iso}::timestamptz + make_interval(days => coalesce(
             (select (st.billing->>'payment_terms_days')::int from account_settings st where st.account_id = d.issuer),
             ${DEFAULT_PAYMENT_TERMS_DAYS})) as at) due
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

    const find = (id: string, lock: boolean) =>
      Effect.gen(function* () {
        if (lock) yield* sql`select id from upstream_invoices where id = ${id} for update`
        return Option.fromNullable((yield* selectUpstream(sql, sql`where u.id = ${id}`))[0])
      })

    return UpstreamInvoiceRepo.of({
      pendingCosts: (period, within) => orPersistenceError(pendingCosts(period, within)),
      issue: (invoices, within, at) => orPersistenceError(issue(invoices, within, at)),
      list: (accountId, filter, page) => orPersistenceError(listUpstream(sql, accountId, filter, page)),
      findById: (id) => orPersistenceError(find(id, false)),
      lock: (id) => orPersistenceError(find(id, true)),
      partiesOf: (id) =>
        orPersistenceError(Effect.flatMap(
          sql<{ readonly parties: unknown }>`
            select coalesce(parties, provisio_upstream_parties(issuer_account_id, bill_to_account_id)) as parties
              from upstream_invoices where id = ${id}`,
          (rows) => rows[0]?.parties == null
            ? Effect.succeed(Option.none<PartySources>())
            : Effect.map(decodeParties(parseJson(rows[0].parties)), (p): Option.Option<PartySources> => Option.some(p))
        )),
      voidInvoice: (id, at) => orPersistenceError(voidUpstream(sql, id, at)),
      recordPayment: (id, paymentId, amount, at) => orPersistenceError(payUpstream(sql, id, paymentId, amount, at))
    })
  })
)
