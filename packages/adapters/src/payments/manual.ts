import { PaymentGateway } from "@provisio/core/payments/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The offline gateway: a payment recorded through it is money already received outside
 * Provisio (a bank transfer or cash entered by staff), so it always succeeds, referenced
 * `manual-<payment id>`.
 *
 * A card gateway plugs in the same way: write a Layer providing `PaymentGateway` (its `name`,
 * e.g. "stripe", is stored on every payment) whose `charge` calls the provider with the payment
 * method's `token` and `payment_id` as the idempotency key, and answers `failed` with the
 * provider's reason on a decline or a transport error. Then provide that layer to
 * `Payments.layer` in services.ts in place of `ManualPaymentGatewayLive`.
 */
export const ManualPaymentGatewayLive = Layer.succeed(
  PaymentGateway,
  PaymentGateway.of({
    name: "manual",
    charge: (request) => Effect.succeed({ status: "succeeded", reference: `manual-${request.payment_id}` })
  })
)
