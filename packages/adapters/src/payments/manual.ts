import { PaymentGateway } from "@provisio/core/payments/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The offline gateway: a payment recorded through it is money already received outside
 * Provisio (a bank transfer or cash entered by staff), so it always succeeds, referenced
 * `manual-<payment id>`; a refund through it is money given back by hand, done at once
 * (`manual-<refund id>`).
 *
 * A card gateway plugs in beside it: see routing.ts and docs/collection.md, "Gateways".
 */
export const manualGateway: PaymentGateway["Type"] = {
  name: "manual",
  charge: (request) => Effect.succeed({ status: "succeeded", reference: `manual-${request.payment_id}` }),
  refund: (request) => Effect.succeed({ status: "succeeded", reference: `manual-${request.refund_id}` })
}

/**
 * Money received by bank transfer (an imported statement's line paid the invoice, reconciliation):
 * never charged (the customer sends it; a statement books it), and given back by a transfer made by
 * hand, done at once (`manual-<refund id>`) as the manual gateway's refunds are.
 */
export const bankTransferGateway: PaymentGateway["Type"] = {
  name: "bank_transfer",
  charge: () =>
    Effect.succeed({
      status: "failed",
      reason: "a bank transfer is not charged: the customer sends it, and an imported bank statement books it"
    }),
  refund: manualGateway.refund
}

/** The manual gateway alone, for every charge (a host or a test with no card gateway). */
export const ManualPaymentGatewayLive = Layer.succeed(PaymentGateway, PaymentGateway.of(manualGateway))
