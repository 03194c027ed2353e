import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import type { InvoiceLineFields, TaxCategory } from "@provisio/core/invoices/model"
import type { TaxBehavior, PlaceOfSupply } from "@provisio/core/tax/model"
import { TaxCalculator, type TaxSubjects } from "@provisio/core/tax/ports"
import { decide, EXEMPT_REASON, findRate, netAmount, OUTSIDE_SCOPE_REASON, type RateRow, REVERSE_CHARGE_REASON } from "@provisio/core/tax/rules"
import { EU_VAT_COUNTRIES } from "@provisio/core/tax/tax-ids"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pgArray } from "../arrays.js"
import { invoicesToIssueSql } from "../invoices.js"
import { minorUnitsSql } from "../json.js"
import { orPersistenceError } from "../persistence.js"

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`
const EU = `array[${[...EU_VAT_COUNTRIES].map(quote).join(",")}]::text[]`

/** The issuer's tax country: legal.tax_country, else legal.country; none = no tax. */
const SELLER = `upper(coalesce(nullif(st.legal->>'tax_country', ''), nullif(st.legal->>'country', '')))`

/**
 * The built-in TaxCalculator over the rate table: rules.ts `decide` and `findRate` as one
 * statement over all the subjects' lines (the distinct country, category and service day looked
 * up once each), and for previews the same rules in memory.
 */
export const TaxCalculatorLive = Layer.effect(
  TaxCalculator,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const subjectsSql = (subjects: TaxSubjects): Statement.Fragment =>
      subjects._tag === "Stored"
        ? sql`select i.id, i.customer_id, i.issuer_account_id, i.currency, i.created_at
                from invoices i where i.id = any(${pgArray(subjects.invoiceIds)}::text[]) and i.status = 'draft'`
        : sql`select d.id, d.customer_id, d.issuer_account_id, d.currency,
                     ${DateTime.formatIso(subjects.createdAt)}::timestamptz as created_at
                from (${invoicesToIssueSql(sql, subjects.invoices)}) d`

    const taxInvoices = (subjects: TaxSubjects) => {
      if ((subjects._tag === "Stored" ? subjects.invoiceIds : subjects.invoices).length === 0) return Effect.void
      return sql`
        with subj as (${subjectsSql(subjects)}),
        ctx as (
          select s.id, s.currency, s.created_at, ${sql.unsafe(SELLER)} as seller,
                 upper(nullif(c.address->>'country', '')) as buyer, c.tax_id, c.tax_exempt
            from subj s join customers c on c.id = s.customer_id
            left join account_settings st on st.account_id = s.issuer_account_id
        ),
        lines as (
          select l.invoice_id, l.position, coalesce(l.priced_amount, l.amount) as priced,
                 coalesce(k.tax_behavior, p.tax_behavior, 'exclusive') as behavior,
                 coalesce(k.tax_category, p.tax_category, 'telecom') as category,
                 coalesce(k.place_of_supply, p.place_of_supply, 'customer') as pos,
                 (coalesce(l.period_start, x.created_at) at time zone 'UTC')::date as day,
                 x.currency, x.seller, x.buyer, x.tax_id, x.tax_exempt
            from ctx x
            join invoice_lines l on l.invoice_id = x.id and l.kind <> 'credit'
            left join skus k on k.id = l.sku_id
            left join plans p on p.id = l.plan_id
        ),
        decided as (
          select n.*, case
                   when n.seller is null then 'untaxed'
                   when n.tax_exempt = 'exempt' then 'exempt'
                   when n.buyer is null or n.buyer = n.seller then 'seller'
                   when n.seller = any(${sql.unsafe(EU)}) and n.buyer = any(${sql.unsafe(EU)}) then
                     case when n.tax_exempt = 'reverse_charge' or n.tax_id is not null then 'reverse'
                          when n.pos = 'seller' then 'seller' else 'buyer' end
                   else 'outside' end as decision
            from lines n
        ),
        keyed as (
          select d.*, case d.decision when 'seller' then d.seller when 'buyer' then d.buyer
                                      when 'outside' then d.buyer end as rate_country
            from decided d
        ),
        keys as (select distinct rate_country, category, day from keyed where rate_country is not null),
        found as (
          select k.rate_country, k.category, k.day, r.rate
            from keys k
            left join lateral (
              select t.rate from tax_rates t
               where t.country = k.rate_country and t.region is null and t.category in (k.category, 'standard')
                 and t.valid_from <= k.day and (t.valid_to is null or t.valid_to > k.day)
               order by (t.category = k.category) desc limit 1
            ) r on true
        ),
        result as (
          select k.invoice_id, k.position, k.priced, k.category, k.behavior, k.currency,
                 case when k.decision in ('exempt', 'reverse') then 0::numeric
                      when k.decision = 'outside' then coalesce(f.rate, 0::numeric)
                      else f.rate end as rate,
                 case when k.decision = 'exempt' then ${EXEMPT_REASON}
                      when k.decision = 'reverse' then ${REVERSE_CHARGE_REASON}
                      when k.decision = 'outside' and f.rate is null then ${OUTSIDE_SCOPE_REASON} end as reason
            from keyed k
            left join found f on f.rate_country = k.rate_country and f.category = k.category and f.day = k.day
        )
        -- Only the lines whose tax changes are written (none when the issuer charges no tax); the
        -- price is kept apart only where the amount becomes a net (tax-inclusive prices).
        update invoice_lines l
           set priced_amount = case when r.amount is distinct from r.priced then r.priced else l.priced_amount end,
               tax_rate = r.rate, tax_reason = r.reason, tax_category = r.category, amount = r.amount
          from (
            select q.invoice_id, q.position, q.priced, q.rate, q.reason,
                   case when q.rate is null then null else q.category end as category,
                   case when q.behavior = 'inclusive' and q.rate is not null
                        then round(q.priced * 100 / (100 + q.rate), ${sql.unsafe(minorUnitsSql("q.currency"))})
                        else q.priced end as amount
              from result q
          ) r
         where l.invoice_id = r.invoice_id and l.position = r.position
           and (l.tax_rate is distinct from r.rate or l.tax_category is distinct from r.category
                or l.tax_reason is distinct from r.reason or l.amount is distinct from r.amount)`.pipe(Effect.asVoid)
    }

    const taxLines: (typeof TaxCalculator.Service)["taxLines"] = (context, lines) =>
      Effect.gen(function* () {
        const parties = yield* sql<{
          readonly seller: string | null
          readonly buyer: string | null
          readonly tax_id: string | null
          readonly tax_exempt: "none" | "exempt" | "reverse_charge"
        }>`
          select ${sql.unsafe(SELLER)} as seller, upper(nullif(c.address->>'country', '')) as buyer, c.tax_id, c.tax_exempt
            from customers c left join account_settings st on st.account_id = ${context.issuer_account_id}
           where c.id = ${context.customer_id}`
        const party = parties[0]
        const untaxed = lines.map((line) => ({ line, exemption_reason: null }))
        if (party === undefined || party.seller === null) return untaxed
        const skuIds = lines.flatMap((l) => (l.sku_id === null ? [] : [l.sku_id]))
        const planIds = lines.flatMap((l) => (l.plan_id === null ? [] : [l.plan_id]))
        const settings = yield* sql<{
          readonly id: string
          readonly tax_behavior: TaxBehavior
          readonly tax_category: TaxCategory
          readonly place_of_supply: PlaceOfSupply
        }>`
          select id, tax_behavior, tax_category, place_of_supply from skus where id = any(${pgArray(skuIds)}::text[])
          union all
          select id, tax_behavior, tax_category, place_of_supply from plans where id = any(${pgArray(planIds)}::text[])`
        const byId = new Map(settings.map((s) => [s.id, s]))
        const rows = yield* sql<RateRow>`
          select country, region, category, rate::text as rate, valid_from::text as valid_from, valid_to::text as valid_to
            from tax_rates where country = any(${pgArray([party.seller, party.buyer ?? party.seller])}::text[])`
        const parts = { seller: party.seller, buyer: party.buyer, buyerTaxId: party.tax_id, exempt: party.tax_exempt }
        return lines.map((line) => {
          if (line.kind === "credit") return { line, exemption_reason: null }
          const own = (line.sku_id === null ? undefined : byId.get(line.sku_id)) ??
            (line.plan_id === null ? undefined : byId.get(line.plan_id))
          const category = own?.tax_category ?? "telecom"
          const decision = decide(parts, own?.place_of_supply ?? "customer")
          const day = DateTime.formatIsoDate(line.period_start ?? DateTime.unsafeMake(0))
          let rate: string | null = null
          let reason: string | null = null
          if (decision._tag === "Zero") {
            rate = "0"
            reason = decision.reason
          } else if (decision._tag === "Rate") {
            const row = findRate(rows, decision.country, category, day)
            rate = row?.rate ?? (decision.zeroUnlessRow ? "0" : null)
            if (row === undefined && decision.zeroUnlessRow) reason = OUTSIDE_SCOPE_REASON
          }
          if (rate === null) return { line, exemption_reason: null }
          const percent = BigDecimal.unsafeFromString(rate)
          const amount = netAmount(line.amount, own?.tax_behavior ?? "exclusive", percent, context.currency)
          const taxed: InvoiceLineFields = { ...line, amount, tax_rate: percent, tax_category: category }
          return { line: taxed, exemption_reason: reason }
        })
      }).pipe(orPersistenceError)

    return TaxCalculator.of({ taxInvoices: (subjects) => orPersistenceError(taxInvoices(subjects)), taxLines })
  })
)
