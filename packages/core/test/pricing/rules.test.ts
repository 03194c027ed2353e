import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import { PriceRule, type PriceRuleInput } from "../../src/pricing/model"
import { visibleChain } from "../../src/pricing/resolve"
import { applyRule, roundUpToNinetyNine, scaleUsagePrice, validateRules } from "../../src/pricing/rules"
import { formatDecimal } from "../../src/shared/money"

const d = BigDecimal.unsafeFromString
const text = formatDecimal
const rule = (type: PriceRule["type"], value: string, rounding: PriceRule["rounding"] = "cent") =>
  new PriceRule({ plan_id: null, sku_id: null, product_id: null, all: true, type, value: d(value), tiers: null, rounding })
const input = (over: Partial<PriceRuleInput>): PriceRuleInput => ({ type: "fixed", rounding: "cent", ...over })

describe("price list rules", () => {
  it("the worked example: 10.00 list, 30 % off (7.00), +20 % (8.40), fixed 11.99", () => {
    const distributor = applyRule(d("10.00"), rule("discount_percent", "30"), "EUR")
    const partner = applyRule(distributor, rule("markup_percent", "20"), "EUR")
    const customer = applyRule(partner, rule("fixed", "11.99"), "EUR")
    expect([text(distributor), text(partner), text(customer)]).toEqual(["7.00", "8.40", "11.99"])
  })

  it("ninety_nine goes up to the next .99 and keeps a .99", () => {
    expect(text(roundUpToNinetyNine(d("8.40"), "EUR"))).toBe("8.99")
    expect(text(roundUpToNinetyNine(d("8.99"), "EUR"))).toBe("8.99")
    expect(text(roundUpToNinetyNine(d("9.00"), "EUR"))).toBe("9.99")
    expect(text(roundUpToNinetyNine(d("0.01"), "EUR"))).toBe("0.99")
    expect(text(roundUpToNinetyNine(d("8.400"), "BHD"))).toBe("8.990")
    expect(text(roundUpToNinetyNine(d("840"), "JPY"))).toBe("899")
    expect(text(roundUpToNinetyNine(d("899"), "JPY"))).toBe("899")
    expect(text(applyRule(d("7.00"), rule("markup_percent", "20", "ninety_nine"), "EUR"))).toBe("8.99")
    // A free price stays free.
    expect(text(roundUpToNinetyNine(d("0.00"), "EUR"))).toBe("0.00")
    expect(text(roundUpToNinetyNine(d("0"), "JPY"))).toBe("0")
    expect(text(applyRule(d("7.00"), rule("discount_percent", "100", "ninety_nine"), "EUR"))).toBe("0.00")
    expect(text(applyRule(d("7.00"), rule("fixed", "0", "ninety_nine"), "EUR"))).toBe("0.00")
  })

  it("percentages round half-up to the cent; usage prices keep their digits", () => {
    expect(text(applyRule(d("9.99"), rule("discount_percent", "15"), "EUR"))).toBe("8.49") // 8.4915
    expect(text(applyRule(d("0.10"), rule("markup_percent", "5"), "EUR"))).toBe("0.11") // 0.105
    expect(text(scaleUsagePrice(d("0.015"), "markup_percent", d("20"), "EUR"))).toBe("0.018")
    expect(text(scaleUsagePrice(d("0.10"), "discount_percent", d("25"), "EUR"))).toBe("0.075")
    expect(text(scaleUsagePrice(d("0.10"), "discount_percent", d("30"), "EUR"))).toBe("0.07")
    expect(text(scaleUsagePrice(scaleUsagePrice(d("0.07"), "markup_percent", d("20"), "EUR"), "markup_percent", d("50"), "EUR"))).toBe("0.126")
    expect(text(scaleUsagePrice(d("0.0000015"), "markup_percent", d("10"), "EUR"))).toBe("0.000002")
  })

  it("rules are checked with their field named", () => {
    const problem = (rules: ReadonlyArray<PriceRuleInput>) =>
      Either.match(validateRules(rules), { onLeft: (e) => e.field, onRight: () => undefined })
    expect(problem([input({ value: d("1") })])).toBe("rules[0].plan_id")
    expect(problem([input({ all: true, plan_id: "pln_1", value: d("1") })])).toBe("rules[0].plan_id")
    expect(problem([input({ all: true })])).toBe("rules[0].value")
    expect(problem([input({ all: true, value: d("-1") })])).toBe("rules[0].value")
    expect(problem([input({ all: true, type: "discount_percent", value: d("101") })])).toBe("rules[0].value")
    expect(problem([input({ plan_id: "pln_1", type: "markup_percent", tiers: [] })])).toBe("rules[0].tiers")
    expect(problem([input({ sku_id: "sku_1", tiers: [{ up_to: d("10"), unit_price: d("1") }] })])).toBe("rules[0].tiers[0].up_to")
    expect(problem([input({ sku_id: "sku_1", value: d("1"), rounding: "ninety_nine" })])).toBe("rules[0].rounding")
    expect(problem([input({ all: true, value: d("1") }), input({ all: true, value: d("2") })])).toBe("rules[1]")
    // Prices are bounded like the catalog's (12 digits before the point); a markup at 1000 %.
    expect(problem([input({ all: true, value: d("1000000000000") })])).toBe("rules[0].value")
    expect(problem([input({ all: true, value: d("999999999999.99") })])).toBeUndefined()
    expect(problem([input({ all: true, type: "markup_percent", value: d("1000.5") })])).toBe("rules[0].value")
    expect(problem([input({ all: true, type: "markup_percent", value: d("1000") })])).toBeUndefined()
    const tiers = [{ up_to: d("10"), unit_price: d("1") }, { up_to: null, unit_price: d("1"), flat_fee: d("1e12") }]
    expect(problem([input({ sku_id: "sku_1", tiers })])).toBe("rules[0].tiers[1].flat_fee")
    expect(problem([input({ plan_id: "pln_1", value: d("11.99") }), input({ all: true, type: "markup_percent", value: d("20") })]))
      .toBeUndefined()
  })

  it("a caller sees the chain from its own buying price down, not its seller's list or rule", () => {
    const rows = [
      { buyer_id: "acc_platform", price_list_id: null, rule: null, price: d("10.00") },
      { buyer_id: "acc_dist", price_list_id: "prl_p", rule: rule("discount_percent", "30"), price: d("7.00") },
      { buyer_id: "acc_partner", price_list_id: "prl_d", rule: rule("markup_percent", "20"), price: d("8.40") },
      { buyer_id: "cus_1", price_list_id: "prl_r", rule: rule("fixed", "11.99"), price: d("11.99") }
    ]
    const partner = visibleChain(rows, "acc_partner", "EUR")
    expect(partner.map((s) => [s.account_id, s.price_list_id, text(s.price.amount)])).toEqual([
      ["acc_partner", null, "8.40"],
      ["cus_1", "prl_r", "11.99"]
    ])
    expect(partner[0]!.rule).toBeNull()
    expect(visibleChain(rows, "acc_platform", "EUR").map((s) => s.price_list_id)).toEqual([null, "prl_p", "prl_d", "prl_r"])
    expect(visibleChain(rows, "acc_other", "EUR")).toEqual([])
  })
})
