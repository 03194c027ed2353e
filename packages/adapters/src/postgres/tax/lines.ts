import type * as SqlClient from "@effect/sql/SqlClient"
import type { InvoiceLineFields, TaxCategory } from "@provisio/core/invoices/model"
import type { TaxBehavior, PlaceOfSupply } from "@provisio/core/tax/model"
import type { TaxedInvoiceLine, UntaxedLines } from "@provisio/core/tax/ports"
import { decide, findRate, netAmount, OUTSIDE_SCOPE_REASON, type RateRow, type TaxParties } from "@provisio/core/tax/rules"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { pgArray } from "../arrays.js"

/** An account's tax country, from its settings row: legal.tax_country, else legal.country. */
const taxCountrySql = (settings: string) =>
  `upper(coalesce(nullif(${settings}.legal->>'tax_country', ''), nullif(${settings}.legal->>'country', '')))`
/** The issuer's (settings `st`); none = no tax. */
export const SELLER_SQL = taxCountrySql("st")

interface PartiesRow {
  readonly customer_id: string
  readonly issuer_account_id: string
  readonly seller: string | null
  readonly buyer: string | null
  readonly region: string | null
  readonly tax_id: string | null
  readonly tax_exempt: TaxParties["exempt"]
}

interface TaxSettingsRow {
  readonly id: string
  readonly tax_behavior: TaxBehavior
  readonly tax_category: TaxCategory
  readonly place_of_supply: PlaceOfSupply
}

/** The buyer's id: the customer, or the account an upstream invoice bills. */
const buyerOf = (group: UntaxedLines): string => group.customer_id ?? group.bill_to_account_id ?? ""

const untouched = (line: InvoiceLineFields): TaxedInvoiceLine => ({ line, exemption_reason: null, priced_amount: null })

/**
 * Lines taxed before they are written, for any number of invoices in three reads (the parties,
 * the plans' and SKUs' tax settings, the rate rows of the countries involved), then rules.ts in
 * memory: the same decisions as the set-based statement over stored drafts (calculator.ts).
 */
export const taxLineGroups = (sql: SqlClient.SqlClient, groups: ReadonlyArray<UntaxedLines>) =>
  Effect.gen(function* () {
    const lines = groups.flatMap((g) => g.lines)
    if (lines.length === 0) return groups.map((g) => g.lines.map(untouched))
    // The buyer is a customer (its address and tax id) or, on an upstream invoice, an account
    // (its settings.legal: where it is registered for tax and its tax id).
    const parties = yield* sql<PartiesRow>`
      select g.customer_id, g.issuer_account_id, ${sql.unsafe(SELLER_SQL)} as seller,
             coalesce(upper(nullif(c.address->>'country', '')),
                      ${sql.unsafe(taxCountrySql("bt"))}) as buyer,
             c.address->>'state' as region, coalesce(c.tax_id, nullif(bt.legal->>'tax_id', '')) as tax_id,
             coalesce(c.tax_exempt, 'none') as tax_exempt
        from unnest(${pgArray(groups.map(buyerOf))}::text[],
                    ${pgArray(groups.map((g) => g.issuer_account_id))}::text[]) as g(customer_id, issuer_account_id)
        left join customers c on c.id = g.customer_id
        left join accounts a on c.id is null and a.id = g.customer_id
        left join account_settings bt on bt.account_id = a.id
        left join account_settings st on st.account_id = g.issuer_account_id
       where c.id is not null or a.id is not null`
    const partiesOf = new Map(parties.map((p) => [`${p.customer_id}|${p.issuer_account_id}`, p]))
    const countries = [...new Set(parties.flatMap((p) => (p.seller === null ? [] : [p.seller, p.buyer ?? p.seller])))]
    if (countries.length === 0) return groups.map((g) => g.lines.map(untouched))

    const skuIds = [...new Set(lines.flatMap((l) => (l.sku_id === null ? [] : [l.sku_id])))]
    const planIds = [...new Set(lines.flatMap((l) => (l.plan_id === null ? [] : [l.plan_id])))]
    const settings = yield* sql<TaxSettingsRow>`
      select id, tax_behavior, tax_category, place_of_supply from skus where id = any(${pgArray(skuIds)}::text[])
      union all
      select id, tax_behavior, tax_category, place_of_supply from plans where id = any(${pgArray(planIds)}::text[])`
    const settingsOf = new Map(settings.map((s) => [s.id, s]))
    const rows = yield* sql<RateRow>`
      select country, region, category, rate::text as rate, valid_from::text as valid_from, valid_to::text as valid_to
        from tax_rates where country = any(${pgArray(countries)}::text[])`

    return groups.map((group) => {
      const party = partiesOf.get(`${buyerOf(group)}|${group.issuer_account_id}`)
      if (party === undefined || party.seller === null) return group.lines.map(untouched)
      const parts: TaxParties = { seller: party.seller, buyer: party.buyer, buyerTaxId: party.tax_id, exempt: party.tax_exempt }
      const issuedOn = DateTime.formatIsoDate(group.issued_at)
      return group.lines.map((line): TaxedInvoiceLine => {
        if (line.kind === "credit") return untouched(line)
        const own = (line.sku_id === null ? undefined : settingsOf.get(line.sku_id)) ??
          (line.plan_id === null ? undefined : settingsOf.get(line.plan_id))
        const category = own?.tax_category ?? "telecom"
        const decision = decide(parts, own?.place_of_supply ?? "customer")
        let rate: string | null = null
        let reason: string | null = null
        if (decision._tag === "Zero") {
          rate = "0"
          reason = decision.reason
        } else if (decision._tag === "Rate") {
          const day = line.period_start === null ? issuedOn : DateTime.formatIsoDate(line.period_start)
          // The buyer's region (its address state) where the rate is the buyer's country's.
          const region = decision.country === (party.buyer ?? party.seller) ? party.region : null
          const row = findRate(rows, decision.country, category, day, region)
          rate = row?.rate ?? (decision.zeroUnlessRow ? "0" : null)
          if (row === undefined && decision.zeroUnlessRow) reason = OUTSIDE_SCOPE_REASON
        }
        if (rate === null) return untouched(line)
        const percent = BigDecimal.unsafeFromString(rate)
        const amount = netAmount(line.amount, own?.tax_behavior ?? "exclusive", percent, group.currency)
        return {
          line: { ...line, amount, tax_rate: percent, tax_category: category },
          exemption_reason: reason,
          priced_amount: BigDecimal.equals(amount, line.amount) ? null : line.amount
        }
      })
    })
  })
