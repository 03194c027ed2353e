import { type GatewayNotification, GatewayWebhookReader, WebhookRejected } from "@provisio/core/collection/gateways"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type Stripe from "stripe"
import { fromStripeAmount } from "./stripe-amounts.js"
import { loadStripeSdk, STRIPE_GATEWAY } from "./stripe.js"
import { stripeWebhookSecret } from "./stripe-config.js"

/**
 * Stripe's webhook calls read with the SDK: the signature checked over the raw body
 * (`stripe.webhooks.constructEvent`, the `Stripe-Signature` header, `PROVISIO_STRIPE_WEBHOOK_SECRET`,
 * five minutes' tolerance by our clock), then the events we act on said in our terms:
 * `payment_intent.succeeded`, `payment_intent.payment_failed` (by the PaymentIntent, and our
 * attempt's id in its metadata), `charge.refunded` (the charge's refunded total),
 * `charge.dispute.created`. Any other type is `ignored`.
 */

const SIGNATURE = "Stripe-Signature"
const TOLERANCE_SECONDS = 300

const idOf = (value: string | { readonly id: string } | null | undefined): string | null =>
  value == null ? null : typeof value === "string" ? value : typeof value.id === "string" ? value.id : null

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const ACTED_ON = new Set(["payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded", "charge.dispute.created"])

/**
 * The first part of a verified event that Stripe always sends and we read, missing or of another
 * shape: such a body was signed with our secret but not written by Stripe (a hand-made test
 * call), and is refused as the caller's mistake rather than read into a crash.
 */
export const eventShapeProblem = (event: unknown): string | undefined => {
  if (!isRecord(event)) return "the body is not a JSON object"
  if (typeof event.id !== "string" || event.id === "") return "id is missing"
  if (typeof event.type !== "string") return "type is missing"
  if (!ACTED_ON.has(event.type)) return undefined
  const object = isRecord(event.data) ? event.data.object : undefined
  if (!isRecord(object)) return "data.object is missing"
  if (typeof object.id !== "string") return "data.object.id is missing"
  const metadata = object.metadata
  if (metadata != null && (!isRecord(metadata) || (metadata.provisio_attempt_id != null && typeof metadata.provisio_attempt_id !== "string"))) {
    return "data.object.metadata.provisio_attempt_id is not a string"
  }
  if (event.type === "charge.refunded") {
    if (!Number.isSafeInteger(object.amount_refunded)) return "data.object.amount_refunded is not an integer"
    if (typeof object.currency !== "string") return "data.object.currency is missing"
  }
  return undefined
}

const textOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null)

/** What a verified event means to us. */
export const notificationOf = (event: Stripe.Event): GatewayNotification => {
  const base = { event_id: event.id, type: event.type }
  switch (event.type) {
    case "payment_intent.succeeded": {
      const intent = event.data.object
      return { ...base, kind: "charge_succeeded", reference: intent.id, attempt_id: intent.metadata?.provisio_attempt_id ?? null }
    }
    case "payment_intent.payment_failed": {
      const intent = event.data.object
      const error = intent.last_payment_error
      return {
        ...base,
        kind: "charge_failed",
        reference: intent.id,
        attempt_id: intent.metadata?.provisio_attempt_id ?? null,
        decline_code: textOrNull(error?.decline_code) ?? textOrNull(error?.code),
        reason: textOrNull(error?.message) ?? "the payment failed"
      }
    }
    case "charge.refunded": {
      const charge = event.data.object
      const reference = idOf(charge.payment_intent) ?? charge.id
      const refunded = fromStripeAmount(charge.amount_refunded, charge.currency)
      if (refunded === undefined) return { ...base, kind: "ignored" }
      return { ...base, kind: "refunded", reference, refunded, refund_reference: charge.refunds?.data?.[0]?.id ?? null }
    }
    case "charge.dispute.created": {
      const dispute = event.data.object
      return { ...base, kind: "disputed", reference: idOf(dispute.payment_intent) ?? idOf(dispute.charge) ?? dispute.id }
    }
    default:
      return { ...base, kind: "ignored" }
  }
}

export const StripeWebhookReaderLive = Layer.effect(
  GatewayWebhookReader,
  Effect.gen(function* () {
    const secret = yield* stripeWebhookSecret
    // The SDK is loaded only where webhooks are configured.
    const webhooks = Option.isSome(secret) ? Option.some((yield* loadStripeSdk).webhooks) : Option.none()

    const reject = (message: string) => Effect.fail(new WebhookRejected({ message, field: SIGNATURE }))

    return GatewayWebhookReader.of({
      read: (gateway, payload, signature, receivedAt) => {
        if (gateway !== STRIPE_GATEWAY) return reject(`no webhooks are taken for gateway "${gateway}"`)
        if (Option.isNone(secret) || Option.isNone(webhooks)) {
          return reject("Stripe webhooks are not configured here: PROVISIO_STRIPE_WEBHOOK_SECRET is not set")
        }
        if (signature === undefined || signature.trim() === "") return reject(`the ${SIGNATURE} header is missing`)
        return Effect.try({
          try: () =>
            webhooks.value.constructEvent(
              payload,
              signature,
              Redacted.value(secret.value),
              TOLERANCE_SECONDS,
              undefined,
              DateTime.toEpochMillis(receivedAt)
            ),
          catch: () =>
            new WebhookRejected({
              message: `the ${SIGNATURE} header does not sign this body with the endpoint's secret (or is older than ${TOLERANCE_SECONDS} seconds)`,
              field: SIGNATURE
            })
        }).pipe(Effect.flatMap((event) => {
          const problem = eventShapeProblem(event)
          return problem === undefined
            ? Effect.succeed(notificationOf(event))
            : Effect.fail(new WebhookRejected({ message: `the event is not one Stripe sends: ${problem}`, field: "body" }))
        }))
      }
    })
  })
)
