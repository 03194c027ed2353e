import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { RefundRepo } from "../payments/refunds-ports.js"
import { makeSettleGatewayRefunds } from "../payments/refunds-gateway.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { CollectorRepo } from "./collector-ports.js"
import { lockAttemptFor, makeSettleAttempt } from "./collector-settle.js"
import { GatewayEventLog, type GatewayNotification, GatewayWebhookReader } from "./gateways.js"

/**
 * A gateway's webhook call (`POST /gateways/stripe/webhooks`): read and verified by the gateway's
 * adapter, then applied in one transaction that also records the event's id, so a duplicate
 * (however often the gateway sends it) is answered at once and changes nothing. Each change is a
 * state transition under the row's lock (an attempt, a payment): events in any order bring the
 * books to the same end.
 */

/** What became of a call: applied, seen before, of a type we do not act on, or about nothing of ours. */
export type WebhookOutcome = "processed" | "duplicate" | "ignored" | "unmatched"

export const make = Effect.gen(function* () {
  const reader = yield* GatewayWebhookReader
  const events = yield* GatewayEventLog
  const attempts = yield* CollectorRepo
  const payments = yield* RefundRepo
  const transactor = yield* Transactor
  const settleAttempt = yield* makeSettleAttempt
  const settleRefunds = yield* makeSettleGatewayRefunds

  const apply = (gateway: string, notification: Exclude<GatewayNotification, { kind: "ignored" }>) =>
    Effect.gen(function* () {
      const at = yield* now
      switch (notification.kind) {
        case "charge_succeeded":
        case "charge_failed": {
          const found = yield* lockAttemptFor(attempts, gateway, notification.attempt_id, notification.reference)
          if (Option.isNone(found)) return "unmatched" as const
          yield* settleAttempt(
            found.value,
            notification.kind === "charge_succeeded"
              ? { status: "succeeded", reference: notification.reference }
              : {
                status: "failed",
                reason: notification.reason,
                decline_code: notification.decline_code,
                reference: notification.reference
              },
            at
          )
          return "processed" as const
        }
        case "refunded": {
          const settled = yield* settleRefunds(gateway, notification.reference, notification.refunded, notification.refund_reference, at)
          return settled === "unmatched" ? "unmatched" as const : "processed" as const
        }
        case "disputed": {
          const payment = yield* payments.lockPaymentByReference(gateway, notification.reference)
          const invoiceId = Option.isSome(payment)
            ? payment.value.payment.invoice_id
            : Option.getOrNull(Option.map(yield* attempts.lockAttemptByReference(gateway, notification.reference), (a) => a.invoice_id))
          if (invoiceId === null) return "unmatched" as const
          yield* attempts.markDisputed(invoiceId, at)
          return "processed" as const
        }
      }
    })

  /** One webhook call of `gateway`: its raw body and signature header. */
  const receive = Effect.fn("GatewayWebhooks.receive")(function* (gateway: string, payload: string, signature: string | undefined) {
    const notification = yield* reader.read(gateway, payload, signature, yield* now)
    if (notification.kind === "ignored") return "ignored" as WebhookOutcome
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const fresh = yield* events.record(gateway, notification.event_id, notification.type, yield* now)
      if (!fresh) return "duplicate" as WebhookOutcome
      return yield* apply(gateway, notification)
    }))
  })

  return { receive } as const
})

export class GatewayWebhooks extends Context.Tag("@provisio/core/GatewayWebhooks")<GatewayWebhooks, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(GatewayWebhooks, make)
}
