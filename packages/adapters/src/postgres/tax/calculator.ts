import * as SqlClient from "@effect/sql/SqlClient"
import { TaxCalculator } from "@provisio/core/tax/ports"
import { EXEMPT_REASON, OUTSIDE_SCOPE_REASON, REVERSE_CHARGE_REASON } from "@provisio/core/tax/rules"
import { EU_VAT_COUNTRIES } from "@provisio/core/tax/tax-ids"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pgArray } from "../arrays.js"
import { minorUnitsSql } from "../json.js"
import { orPersistenceError } from "../persistence.js"
import { SELLER_SQL, taxLineGroups } from "./lines.js"

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`
const EU = `array[${[...EU_VAT_COUNTRIES].map(quote).join(",")}]::text[]`

/**
 * The built-in TaxCalculator over the rate table. Lines not yet written are taxed in memory
 * (lines.ts); stored drafts by one statement over all their lines, rules.ts `decide` and
 * `findRate` in SQL (the distinct country, region, category and service day looked up once each).
 */
export const TaxCalculatorLive = Layer.effect(
  TaxCalculator,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const taxInvoices = (invoiceIds: ReadonlyArray<string>) => {
      if (invoiceIds.length === 0) return Effect.void
      return sql`
        with subj as (
          select i.id, i.customer_id, i.issuer_account_id, i.currency, i.created_at
            from invoices i where i.id = any(${pgArray(invoiceIds)}::text[]) and i.status = 'draft'
        ),
        ctx as (
          select s.id, s.currency, s.created_at, ${sql.unsafe(SELLER_SQL)} as seller,
                 upper(nullif(c.address->>'country', '')) as buyer, upper(nullif(trim(c.address->>'state'), '')) as region,
                 c.tax_id, c.tax_exempt
            from subj s join customers c on c.id = s.customer_id
            left join account_settings st on st.account_id = s.issuer_account_id
        ),
        lines as (
          select l.invoice_id, l.position, coalesce(l.priced_amount, l.amount) as priced,
                 coalesce(k.tax_behavior, p.tax_behavior, 'exclusive') as behavior,
                 coalesce(k.tax_category, p.tax_category, 'telecom') as category,
                 coalesce(k.place_of_supply, p.place_of_supply, 'customer') as pos,
                 (coalesce(l.period_start, x.created_at) at time zone 'UTC')::date as day,
                 x.currency, x.seller, x.buyer, x.region, x.tax_id, x.tax_exempt
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
          select c.*, case when c.rate_country = coalesce(c.buyer, c.seller) then c.region end as rate_region
            from (select d.*, case d.decision when 'seller' then d.seller when 'buyer' then d.buyer
                                              when 'outside' then d.buyer end as rate_country
                    from decided d) c
        ),
        keys as (select distinct rate_country, rate_region, category, day from keyed where rate_country is not null),
        -- rules.ts findRate: the buyer region's row first (its category, else standard), then the country's.
        found as (
          select k.rate_country, k.rate_region, k.category, k.day, r.rate
            from keys k
            left join lateral (
              select t.rate from tax_rates t
               where t.country = k.rate_country and t.category in (k.category, 'standard')
                 and (t.region is null or upper(trim(t.region)) = k.rate_region)
                 and t.valid_from <= k.day and (t.valid_to is null or t.valid_to > k.day)
               order by (t.region is not null) desc, (t.category = k.category) desc limit 1
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
            left join found f on f.rate_country = k.rate_country and f.rate_region is not distinct from k.rate_region
                          and f.category = k.category and f.day = k.day
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

    return TaxCalculator.of({
      taxInvoices: (invoiceIds) => orPersistenceError(taxInvoices(invoiceIds)),
      taxLines: (groups) => orPersistenceError(taxLineGroups(sql, groups))
    })
  })
)
