import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import {
  breakdown,
  decide,
  EXEMPT_REASON,
  findRate,
  netAmount,
  overlaps,
  proportionalCredit,
  type RateRow,
  REVERSE_CHARGE_REASON,
  type TaxParties
} from "../../src/tax/rules"
import { formatDecimal } from "../../src/shared/money"

const d = BigDecimal.unsafeFromString
const text = (n: BigDecimal.BigDecimal) => formatDecimal(n)
const parties = (over: Partial<TaxParties>): TaxParties => ({ seller: "DE", buyer: "DE", buyerTaxId: null, exempt: "none", ...over })

describe("tax rules", () => {
  it("decides where a sale is taxed", () => {
    expect(decide(parties({ seller: null }), "customer")).toEqual({ _tag: "Untaxed" })
    expect(decide(parties({}), "customer")).toEqual({ _tag: "Rate", country: "DE", zeroUnlessRow: false })
    expect(decide(parties({ buyer: null }), "customer")).toEqual({ _tag: "Rate", country: "DE", zeroUnlessRow: false })
    expect(decide(parties({ exempt: "exempt" }), "customer")).toEqual({ _tag: "Zero", reason: EXEMPT_REASON })
    // EU B2B cross-border: a tax id, or the customer's reverse_charge flag.
    expect(decide(parties({ buyer: "FR", buyerTaxId: "FR40303265045" }), "customer")).toEqual({ _tag: "Zero", reason: REVERSE_CHARGE_REASON })
    expect(decide(parties({ buyer: "AT", exempt: "reverse_charge" }), "customer")).toEqual({ _tag: "Zero", reason: REVERSE_CHARGE_REASON })
    // Domestic B2B is taxed normally.
    expect(decide(parties({ buyerTaxId: "DE811907980" }), "customer")).toEqual({ _tag: "Rate", country: "DE", zeroUnlessRow: false })
    // EU B2C cross-border: the customer's country, unless the plan/SKU says seller.
    expect(decide(parties({ buyer: "FR" }), "customer")).toEqual({ _tag: "Rate", country: "FR", zeroUnlessRow: false })
    expect(decide(parties({ buyer: "FR" }), "seller")).toEqual({ _tag: "Rate", country: "DE", zeroUnlessRow: false })
    // Outside the seller's tax area: the customer's country if a row exists there, else 0.
    expect(decide(parties({ buyer: "US" }), "customer")).toEqual({ _tag: "Rate", country: "US", zeroUnlessRow: true })
    expect(decide(parties({ seller: "CH", buyer: "DE" }), "customer")).toEqual({ _tag: "Rate", country: "DE", zeroUnlessRow: true })
  })

  const rows: ReadonlyArray<RateRow> = [
    { country: "DE", region: null, category: "standard", rate: "19.0", valid_from: "2020-01-01", valid_to: "2027-01-01" },
    { country: "DE", region: null, category: "standard", rate: "21.0", valid_from: "2027-01-01", valid_to: null },
    { country: "DE", region: null, category: "reduced", rate: "7.0", valid_from: "2020-01-01", valid_to: null },
    { country: "DE", region: "Heligoland", category: "standard", rate: "0", valid_from: "2020-01-01", valid_to: null }
  ]

  it("finds the rate in force on the service date; a category without its own row uses standard", () => {
    expect(findRate(rows, "DE", "telecom", "2026-12-31")?.rate).toBe("19.0")
    expect(findRate(rows, "DE", "telecom", "2027-01-01")?.rate).toBe("21.0")
    expect(findRate(rows, "DE", "reduced", "2027-01-01")?.rate).toBe("7.0")
    expect(findRate(rows, "DE", "standard", "2019-12-31")).toBeUndefined()
    expect(findRate(rows, "FR", "standard", "2026-12-31")).toBeUndefined()
  })

  it("a region's row comes before the country's for a buyer in that region, whatever its case", () => {
    expect(findRate(rows, "DE", "telecom", "2026-12-31", " heligoland ")?.rate).toBe("0")
    expect(findRate(rows, "DE", "reduced", "2026-12-31", "Heligoland")?.rate).toBe("0")
    expect(findRate(rows, "DE", "telecom", "2026-12-31", "Bavaria")?.rate).toBe("19.0")
    expect(findRate(rows, "DE", "telecom", "2026-12-31", null)?.rate).toBe("19.0")
  })

  it("validities overlap when they share a day (valid_to exclusive)", () => {
    expect(overlaps({ valid_from: "2020-01-01", valid_to: "2027-01-01" }, { valid_from: "2027-01-01", valid_to: null })).toBe(false)
    expect(overlaps({ valid_from: "2020-01-01", valid_to: "2027-01-02" }, { valid_from: "2027-01-01", valid_to: null })).toBe(true)
    expect(overlaps({ valid_from: "2020-01-01", valid_to: null }, { valid_from: "2010-01-01", valid_to: "2020-01-02" })).toBe(true)
  })

  it("derives a tax-inclusive line's net from its gross, half-up per line", () => {
    expect(text(netAmount(d("10.00"), "inclusive", d("19.0"), "EUR"))).toBe("8.40")
    expect(text(netAmount(d("29.99"), "inclusive", d("19.0"), "EUR"))).toBe("25.20")
    expect(text(netAmount(d("10.00"), "exclusive", d("19.0"), "EUR"))).toBe("10.00")
    expect(text(netAmount(d("1000"), "inclusive", d("10"), "JPY"))).toBe("909")
  })

  it("computes tax on the sum per category and rate, rounded half-up once per group", () => {
    const line = (amount: string, rate: string | null, reason: string | null = null) =>
      ({ amount: d(amount), tax_rate: rate === null ? null : d(rate), tax_category: rate === null ? null : "telecom" as const, exemption_reason: reason })
    const groups = breakdown([line("49.90", "19.0"), line("0.03", "19.0"), line("0.03", "19.00"), line("0.03", "19.0"), line("5.00", null)], "EUR")
    expect(groups.map((g) => [g.category, text(g.rate), text(g.taxable_amount), text(g.tax_amount)])).toEqual([["telecom", "19.0", "49.99", "9.50"]])
    const two = breakdown([line("100.00", "21.0"), line("100.00", "19.0"), line("50.00", "0", REVERSE_CHARGE_REASON)], "EUR")
    expect(two.map((g) => [text(g.rate), text(g.tax_amount), g.exemption_reason])).toEqual([
      ["0", "0.00", REVERSE_CHARGE_REASON], ["19.0", "19.00", null], ["21.0", "21.00", null]
    ])
    // Half-up: 0.125 -> 0.13.
    expect(text(breakdown([line("1.25", "10")], "EUR")[0]!.tax_amount)).toBe("0.13")
  })

  it("reverses tax in proportion for a credit of a gross amount", () => {
    const groups = breakdown([
      { amount: d("100.00"), tax_rate: d("19.0"), tax_category: "telecom", exemption_reason: null }
    ], "EUR")
    const credit = proportionalCredit(d("59.50"), d("119.00"), groups, "EUR")
    expect([text(credit.subtotal), text(credit.tax_total)]).toEqual(["50.00", "9.50"])
    expect(text(credit.groups[0]!.taxable_amount)).toBe("50.00")
  })

  // Every group's taxable + tax is its share, the shares add up to the gross, subtotal + tax_total = gross.
  const addsUp = (credit: ReturnType<typeof proportionalCredit>, gross: string, untaxed = "0") => {
    const taxable = BigDecimal.sumAll(credit.groups.map((g) => g.taxable_amount))
    const tax = BigDecimal.sumAll(credit.groups.map((g) => g.tax_amount))
    expect(text(BigDecimal.sum(taxable, d(untaxed)))).toBe(text(credit.subtotal))
    expect(BigDecimal.equals(tax, credit.tax_total)).toBe(true)
    expect(BigDecimal.equals(BigDecimal.sum(credit.subtotal, credit.tax_total), d(gross))).toBe(true)
  }

  it("splits a gross credit so taxable + tax = the share exactly, never rounding both up from a half", () => {
    // 5.05 + 1.01 at 20 %, half of it: 2.525 and 0.505 each rounded up gave 2.53 + 0.51 = 3.04 for 3.03.
    const at20 = breakdown([{ amount: d("5.05"), tax_rate: d("20.0"), tax_category: "telecom", exemption_reason: null }], "EUR")
    const half = proportionalCredit(d("3.03"), d("6.06"), at20, "EUR")
    expect(half.groups.map((g) => [text(g.taxable_amount), text(g.tax_amount)])).toEqual([["2.53", "0.50"]])
    expect([text(half.subtotal), text(half.tax_total)]).toEqual(["2.53", "0.50"])
    addsUp(half, "3.03")
    // JPY at 99.9999 %, 2 + 2: 1 JPY is 1 taxable and no tax (taxable 1 and tax 1 made 2).
    const jpy = breakdown([{ amount: d("2"), tax_rate: d("99.9999"), tax_category: "telecom", exemption_reason: null }], "JPY")
    const one = proportionalCredit(d("1"), d("4"), jpy, "JPY")
    expect(one.groups.map((g) => [text(g.taxable_amount), text(g.tax_amount)])).toEqual([["1", "0"]])
    addsUp(one, "1")
  })

  it("gives each group its share of the gross, the shares adding up to the gross; untaxed lines' share stays in the subtotal", () => {
    const groups = breakdown([
      { amount: d("0.01"), tax_rate: d("0"), tax_category: "zero", exemption_reason: REVERSE_CHARGE_REASON },
      { amount: d("0.01"), tax_rate: d("19.0"), tax_category: "telecom", exemption_reason: null },
      { amount: d("0.01"), tax_rate: d("21.0"), tax_category: "telecom", exemption_reason: null }
    ], "EUR")
    // 0.01 + 0.01 + 0.01 gross (no tax rounds above 0): a third of 0.02 each rounds to 0.01, yet only 0.02 is credited.
    const split = proportionalCredit(d("0.02"), d("0.03"), groups, "EUR")
    expect(split.groups.map((g) => text(BigDecimal.sum(g.taxable_amount, g.tax_amount)))).toEqual(["0.01", "0.00", "0.01"])
    addsUp(split, "0.02")
    // 50.00 + 9.50 and 50.00 + 3.50: 113.00.
    for (const gross of ["0.01", "0.99", "1.00", "33.33", "56.50", "112.99", "113.00"]) {
      addsUp(proportionalCredit(d(gross), d("113.00"), breakdown([
        { amount: d("50.00"), tax_rate: d("19.0"), tax_category: "telecom", exemption_reason: null },
        { amount: d("50.00"), tax_rate: d("7.0"), tax_category: "reduced", exemption_reason: null }
      ], "EUR"), "EUR"), gross)
    }
    // 100.00 + 19.00 taxed at 19 % and 19.00 untaxed: half of the 138.00 is 59.50 taxed (50.00 + 9.50) and 9.50 untaxed.
    const mixed = proportionalCredit(d("69.00"), d("138.00"), breakdown([
      { amount: d("100.00"), tax_rate: d("19.0"), tax_category: "telecom", exemption_reason: null }
    ], "EUR"), "EUR")
    expect([text(mixed.groups[0]!.taxable_amount), text(mixed.groups[0]!.tax_amount), text(mixed.subtotal)]).toEqual(["50.00", "9.50", "59.50"])
    addsUp(mixed, "69.00", "9.50")
  })
})
