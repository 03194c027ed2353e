import { describe, expect, it } from "@effect/vitest"
import { fromStripeAmount, toStripeAmount } from "@provisio/adapters/payments/stripe-amounts"
import { parseStripeToken, stripeGateway } from "@provisio/adapters/payments/stripe"
import { routedGateway } from "@provisio/adapters/payments/routing"
import { manualGateway } from "@provisio/adapters/payments/manual"
import { money } from "@provisio/core/shared/money"
import type { ChargeRequest } from "@provisio/core/payments/ports"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** The Stripe gateway's pure rules: amounts in Stripe's minor units, the token's format, and the router by gateway name. */

const amount = (text: string, currency: Parameters<typeof money>[1]) => money(BigDecimal.unsafeFromString(text), currency)

const chargeOf = (gateway: string | null, token: string | null = null): ChargeRequest => ({
  payment_id: "pay_1",
  idempotency_key: "pat_1",
  invoice_id: "inv_1",
  attempt_id: "pat_1",
  customer_id: "cus_1",
  amount: amount("10.00", "EUR"),
  payment_method: gateway === null && token === null ? null : { id: "pm_1", type: "card", gateway, token },
  description: "Invoice"
})

describe("Stripe amounts", () => {
  it("are whole minor units: cents, whole yen and won, fils in tens, whole forints", () => {
    expect(toStripeAmount(amount("12.50", "EUR"))).toEqual(Either.right(1250))
    expect(toStripeAmount(amount("1500", "JPY"))).toEqual(Either.right(1500))
    expect(toStripeAmount(amount("1000", "KRW"))).toEqual(Either.right(1000))
    expect(toStripeAmount(amount("1.250", "BHD"))).toEqual(Either.right(1250))
    expect(Either.isLeft(toStripeAmount(amount("1.255", "BHD")))).toBe(true)
    expect(toStripeAmount(amount("300.00", "HUF"))).toEqual(Either.right(30000))
    expect(Either.isLeft(toStripeAmount(amount("300.50", "HUF")))).toBe(true)
    expect(Either.isLeft(toStripeAmount(amount("1.005", "EUR")))).toBe(true)
  })

  it("come back from Stripe as our money, in our currencies only", () => {
    expect(fromStripeAmount(2000, "eur")).toEqual(amount("20.00", "EUR"))
    expect(fromStripeAmount(1500, "jpy")).toEqual(amount("1500", "JPY"))
    expect(fromStripeAmount(100, "xyz")).toBeUndefined()
  })
})

describe("Stripe tokens", () => {
  it("are cus_...:pm_... or pm_... alone, nothing else", () => {
    expect(parseStripeToken("cus_A1:pm_B2")).toEqual(Either.right({ customer: "cus_A1", paymentMethod: "pm_B2" }))
    expect(parseStripeToken("pm_card_visa")).toEqual(Either.right({ customer: undefined, paymentMethod: "pm_card_visa" }))
    for (const token of [null, "", "tok_visa", "cus_A1", "pm_1:cus_2", "cus_A1:pm_B2:x", "4242424242424242"]) {
      expect(Either.isLeft(parseStripeToken(token)), String(token)).toBe(true)
    }
  })
})

describe("the gateway router", () => {
  const gateways = routedGateway({ manual: manualGateway, stripe: stripeGateway(Option.none()) })

  it.effect("sends each charge to the gateway its method names, manual when none, and refuses an unknown one", () =>
    Effect.gen(function* () {
      expect(yield* gateways.charge(chargeOf(null))).toEqual({ status: "succeeded", reference: "manual-pay_1", gateway: "manual" })
      expect(yield* gateways.charge(chargeOf("stripe", "pm_x"))).toMatchObject({
        status: "failed",
        gateway: "stripe",
        reason: expect.stringContaining("stripe is not configured")
      })
      expect(yield* gateways.charge(chargeOf("adyen", "x"))).toMatchObject({ status: "failed", gateway: "adyen" })
      expect(yield* gateways.refund({ refund_id: "ref_1", payment_id: "pay_1", gateway: "manual", reference: null, amount: amount("1.00", "EUR") }))
        .toEqual({ status: "succeeded", reference: "manual-ref_1" })
      expect(yield* gateways.refund({ refund_id: "ref_1", payment_id: "pay_1", gateway: "adyen", reference: null, amount: amount("1.00", "EUR") }))
        .toMatchObject({ status: "failed" })
    }))
})
