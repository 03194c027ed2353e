import { gatewayOf } from "@provisio/core/collection/gateways"
import { BANK_TRANSFER } from "@provisio/core/reconciliation/imports"
import { PaymentGateway } from "@provisio/core/payments/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { bankTransferGateway, manualGateway } from "./manual.js"
import { makeStripeClient, STRIPE_GATEWAY, stripeGateway } from "./stripe.js"
import { stripeApiSettings } from "./stripe-config.js"

/**
 * The `PaymentGateway` the services are given: a router over the gateway adapters by name. A
 * charge goes to the adapter its payment method names (`payment_method.gateway`; none means
 * money received by hand: `manual`), a refund to the adapter that took the payment (its
 * `gateway`; a payment an imported bank statement booked, `bank_transfer`, is given back by hand). A name with no adapter fails the charge or refund with that said, never silently
 * through another gateway.
 *
 * To add a gateway (docs/collection.md, "Gateways"): write its adapter as a
 * `PaymentGateway["Type"]` value (`name`, `charge`, `refund`; see stripe.ts), and add it to the
 * map given to `routedGateway` here (or in a host's own layer).
 */
export const routedGateway = (adapters: Readonly<Record<string, PaymentGateway["Type"]>>): PaymentGateway["Type"] => {
  // Payments a bank statement booked (gateway `bank_transfer`) are refunded by hand like manual ones,
  // whatever gateways a host gives, unless it gives its own `bank_transfer` adapter.
  const find = (name: string) =>
    Object.hasOwn(adapters, name) ? adapters[name] : name === BANK_TRANSFER ? bankTransferGateway : undefined
  const missing = (name: string) => `no payment gateway named "${name}" is configured in this Provisio`
  return {
    name: "manual",
    charge: (request) => {
      const name = gatewayOf(request.payment_method)
      const adapter = find(name)
      if (adapter === undefined) return Effect.succeed({ status: "failed", reason: missing(name), gateway: name })
      return Effect.map(adapter.charge(request), (result) => ({ ...result, gateway: result.gateway ?? adapter.name }))
    },
    refund: (request) => {
      const adapter = find(request.gateway)
      return adapter === undefined
        ? Effect.succeed({ status: "failed", reason: missing(request.gateway) })
        : adapter.refund(request)
    }
  }
}

/**
 * The gateways a Provisio process has: `manual`, and `stripe` on `PROVISIO_STRIPE_SECRET_KEY`
 * (unset, a `stripe` method's charge fails saying Stripe is not configured).
 */
export const PaymentGatewaysLive = Layer.effect(
  PaymentGateway,
  Effect.gen(function* () {
    const settings = yield* stripeApiSettings
    const stripe = stripeGateway(yield* makeStripeClient(settings))
    return PaymentGateway.of(routedGateway({ manual: manualGateway, [STRIPE_GATEWAY]: stripe }))
  })
)
