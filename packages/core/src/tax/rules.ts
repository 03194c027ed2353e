import * as BigDecimal from "effect/BigDecimal"
import type { TaxCategory } from "../invoices/model.js"
import { type Currency, minorUnits } from "../shared/money.js"
import type { PlaceOfSupply, TaxBehavior } from "./model.js"
import { EU_VAT_COUNTRIES } from "./tax-ids.js"

/**
 * The built-in tax rules, pure. The Postgres adapter (adapters/postgres/tax/calculator.ts) is
 * their set-based form for billing runs: the same decisions, in the same order, in one statement
 * per chunk; tax.test.ts holds both to the worked examples of docs/tax.md.
 */

/** The legal mention printed for an EU B2B reverse charge. */
export const REVERSE_CHARGE_REASON =
  "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)"
/** The mention for a customer exempt from tax. */
export const EXEMPT_REASON = "Exempt from tax"
/** The mention for a sale outside the seller's tax area where no rate is configured. */
export const OUTSIDE_SCOPE_REASON = "Outside the scope of tax: supplied outside the seller's tax area"

export interface TaxParties {
  /** The issuer's tax country (settings.legal.tax_country, else legal.country); null: no tax at all. */
  readonly seller: string | null
  /** The customer's address.country; null is treated as domestic. */
  readonly buyer: string | null
  readonly buyerTaxId: string | null
  readonly exempt: "none" | "exempt" | "reverse_charge"
}

/** Where a line is taxed: the rate of `country`, or zero for `reason`, or not at all. */
export type TaxDecision =
  | { readonly _tag: "Rate"; readonly country: string; readonly zeroUnlessRow: boolean }
  | { readonly _tag: "Zero"; readonly reason: string }
  | { readonly _tag: "Untaxed" }

/** The seller's tax area: the EU for an EU seller, its own country otherwise. */
const sameArea = (seller: string, buyer: string) =>
  seller === buyer || (EU_VAT_COUNTRIES.has(seller) && EU_VAT_COUNTRIES.has(buyer))

/**
 * Which country's rate applies, in this order: no seller country -> untaxed; `exempt` -> 0 with
 * the reason; domestic (or no buyer country) -> the seller's; EU cross-border B2B (a tax id or
 * `reverse_charge`) -> reverse charge; EU cross-border B2C -> the customer's country (place of
 * supply), or the seller's when the plan/SKU says `seller`; outside the seller's tax area -> the
 * customer country's rate when a row exists there, else 0 with the reason.
 */
export const decide = (parties: TaxParties, placeOfSupply: PlaceOfSupply): TaxDecision => {
  const { buyer, seller } = parties
  if (seller === null) return { _tag: "Untaxed" }
  if (parties.exempt === "exempt") return { _tag: "Zero", reason: EXEMPT_REASON }
  if (buyer === null || buyer === seller) return { _tag: "Rate", country: seller, zeroUnlessRow: false }
  if (sameArea(seller, buyer)) {
    if (parties.exempt === "reverse_charge" || parties.buyerTaxId !== null) {
      return { _tag: "Zero", reason: REVERSE_CHARGE_REASON }
    }
    return { _tag: "Rate", country: placeOfSupply === "seller" ? seller : buyer, zeroUnlessRow: false }
  }
  return { _tag: "Rate", country: buyer, zeroUnlessRow: true }
}

export interface RateRow {
  readonly country: string
  readonly region: string | null
  readonly category: TaxCategory
  readonly rate: string
  readonly valid_from: string
  readonly valid_to: string | null
}

/** A region as written (a US state, a province): matched without regard to case or spaces. */
export const regionKey = (region: string | null | undefined): string | null => {
  const key = region?.trim().toUpperCase() ?? ""
  return key === "" ? null : key
}

/**
 * The row in force on `date` (YYYY-MM-DD) for the country and category. With the buyer's
 * `region` (its address `state`), a row of that region comes first (its category's, else its
 * `standard`), then the country-wide rows (the category's, else `standard`): a regional rate
 * replaces the country's, it is not added to it.
 */
export const findRate = (
  rows: ReadonlyArray<RateRow>,
  country: string,
  category: TaxCategory,
  date: string,
  region: string | null = null
): RateRow | undefined => {
  const inForce = rows.filter((r) =>
    r.country === country && r.valid_from <= date && (r.valid_to === null || r.valid_to > date)
  )
  const pick = (within: ReadonlyArray<RateRow>) =>
    within.find((r) => r.category === category) ?? within.find((r) => r.category === "standard")
  const wanted = regionKey(region)
  const regional = wanted === null ? undefined : pick(inForce.filter((r) => regionKey(r.region) === wanted))
  return regional ?? pick(inForce.filter((r) => r.region === null))
}

/** Two validities [from, to) overlap (null `to` = open). */
export const overlaps = (a: Pick<RateRow, "valid_from" | "valid_to">, b: Pick<RateRow, "valid_from" | "valid_to">) =>
  (a.valid_to === null || b.valid_from < a.valid_to) && (b.valid_to === null || a.valid_from < b.valid_to)

/** Half-up to the currency's minor unit (half away from zero, as PostgreSQL's round). */
export const roundHalfUp = (amount: BigDecimal.BigDecimal, currency: Currency): BigDecimal.BigDecimal =>
  BigDecimal.scale(BigDecimal.round(amount, { scale: minorUnits(currency), mode: "half-from-zero" }), minorUnits(currency))

const HUNDRED = BigDecimal.fromBigInt(100n)

/**
 * A line's net amount: as priced for `exclusive`; for `inclusive`, gross * 100 / (100 + rate),
 * rounded half-up to the minor unit once per line.
 */
export const netAmount = (
  priced: BigDecimal.BigDecimal,
  behavior: TaxBehavior,
  rate: BigDecimal.BigDecimal | null,
  currency: Currency
): BigDecimal.BigDecimal => {
  if (behavior === "exclusive" || rate === null) return priced
  const divided = BigDecimal.divide(BigDecimal.multiply(priced, HUNDRED), BigDecimal.sum(HUNDRED, rate))
  return roundHalfUp(divided._tag === "Some" ? divided.value : priced, currency)
}

export interface TaxedLine {
  readonly amount: BigDecimal.BigDecimal
  readonly tax_category: TaxCategory | null
  /** The rate as written in the table (19.0); null when untaxed. */
  readonly tax_rate: BigDecimal.BigDecimal | null
  readonly kind?: string
  readonly exemption_reason: string | null
}

export interface TaxGroup {
  readonly category: TaxCategory
  readonly rate: BigDecimal.BigDecimal
  readonly taxable_amount: BigDecimal.BigDecimal
  readonly tax_amount: BigDecimal.BigDecimal
  readonly exemption_reason: string | null
}

/**
 * The breakdown (EN 16931 style): lines grouped by category, rate and reason; tax is the group's
 * net sum times the rate, rounded half-up once per group. Ordered by category, then rate.
 */
export const breakdown = (lines: ReadonlyArray<TaxedLine>, currency: Currency): Array<TaxGroup> => {
  const groups = new Map<string, { category: TaxCategory; rate: BigDecimal.BigDecimal; reason: string | null; sum: BigDecimal.BigDecimal }>()
  for (const line of lines) {
    if (line.tax_rate === null || line.tax_category === null || line.kind === "credit") continue
    const rate = BigDecimal.format(BigDecimal.normalize(line.tax_rate))
    const key = `${line.tax_category}|${rate}|${line.exemption_reason ?? ""}`
    const group = groups.get(key)
    if (group === undefined) {
      groups.set(key, { category: line.tax_category, rate: line.tax_rate, reason: line.exemption_reason, sum: line.amount })
    } else group.sum = BigDecimal.sum(group.sum, line.amount)
  }
  return [...groups.values()]
    .sort((a, b) => a.category.localeCompare(b.category) || BigDecimal.Order(a.rate, b.rate))
    .map((g) => ({
      category: g.category,
      rate: g.rate,
      taxable_amount: roundHalfUp(g.sum, currency),
      tax_amount: roundHalfUp(BigDecimal.unsafeDivide(BigDecimal.multiply(g.sum, g.rate), HUNDRED), currency),
      exemption_reason: g.reason
    }))
}

/**
 * A credit of `gross` against an invoice of `invoiceTotal` gross with `groups` (EN 16931): each
 * group's share of the gross is its gross (taxable + tax) x gross / invoiceTotal, rounded half-up
 * cumulatively (group i's share = the rounded share of groups 1..i less that of groups 1..i-1),
 * so the shares of groups that make up the whole invoice add up to `gross` exactly. A share is
 * split as a gross price is: taxable = share x 100 / (100 + rate) rounded half-up, tax = share -
 * taxable, so taxable + tax = share exactly (the tax is within one minor unit of taxable x rate,
 * as BR-CO-17 allows). subtotal = gross - tax_total: the groups' taxable amounts, plus the share
 * of any untaxed lines.
 */
export const proportionalCredit = (
  gross: BigDecimal.BigDecimal,
  invoiceTotal: BigDecimal.BigDecimal,
  groups: ReadonlyArray<TaxGroup>,
  currency: Currency
): { readonly groups: Array<TaxGroup>; readonly subtotal: BigDecimal.BigDecimal; readonly tax_total: BigDecimal.BigDecimal } => {
  const zero = BigDecimal.make(0n, minorUnits(currency))
  if (groups.length === 0 || BigDecimal.isZero(invoiceTotal)) return { groups: [], subtotal: gross, tax_total: zero }
  let invoiced = zero
  let credited = zero
  const split = groups.map((g) => {
    invoiced = BigDecimal.sum(invoiced, BigDecimal.sum(g.taxable_amount, g.tax_amount))
    const upTo = roundHalfUp(BigDecimal.unsafeDivide(BigDecimal.multiply(invoiced, gross), invoiceTotal), currency)
    const share = BigDecimal.subtract(upTo, credited)
    credited = upTo
    const taxable = netAmount(share, "inclusive", g.rate, currency)
    return { ...g, taxable_amount: taxable, tax_amount: roundHalfUp(BigDecimal.subtract(share, taxable), currency) }
  })
  const tax_total = split.reduce((s, g) => BigDecimal.sum(s, g.tax_amount), zero)
  return { groups: split, subtotal: roundHalfUp(BigDecimal.subtract(gross, tax_total), currency), tax_total }
}
