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
})
