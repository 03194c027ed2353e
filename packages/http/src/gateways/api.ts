import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { Envelope } from "../envelope.js"

/** The `Stripe-Signature` header: the credential of a Stripe webhook call (none is a 400, not a 401). */
export const StripeSignatureHeaders = Schema.Struct({
  "stripe-signature": Schema.optional(Schema.String).annotations({
    description: "Stripe's signature of the raw body, `t=<unix seconds>,v1=<hex HMAC-SHA256>`."
  })
})

/** A Stripe event as Stripe sends it; only its signed raw body is read. */
export const StripeEventBody = Schema.Struct(
  {
    id: Schema.optional(Schema.String),
    type: Schema.optional(Schema.String)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).annotations({
  identifier: "StripeEvent",
  description: "A Stripe event object (`evt_...`), exactly as Stripe sends it: the signature covers the raw body."
})

export const WebhookReceipt = Schema.Struct({
  received: Schema.Literal(true),
  /**
   * `processed`: applied; `duplicate`: this event id was processed before (nothing changed);
   * `ignored`: a type Provisio does not act on; `unmatched`: about nothing Provisio knows.
   */
  outcome: Schema.Literal("processed", "duplicate", "ignored", "unmatched")
}).annotations({ identifier: "WebhookReceipt" })

/** Payment gateways calling in: no bearer token, each call signed by the gateway. */
export class GatewaysApi extends HttpApiGroup.make("gateways")
  .add(
    HttpApiEndpoint.post("receiveStripeWebhook", "/gateways/stripe/webhooks")
      .setHeaders(StripeSignatureHeaders)
      .setPayload(StripeEventBody)
      .addSuccess(Envelope(WebhookReceipt))
      .annotate(OpenApi.Summary, "Receive a Stripe webhook event")
      .annotate(
        OpenApi.Description,
        "Stripe's calls to the endpoint configured in its dashboard. No bearer token: the `Stripe-Signature` " +
          "header is the credential, checked over the raw body with `PROVISIO_STRIPE_WEBHOOK_SECRET` (five minutes' " +
          "tolerance); a missing or bad signature, or no secret configured, is 400. Acted on: " +
          "`payment_intent.succeeded` and `payment_intent.payment_failed` (the automatic charge's attempt, found by " +
          "the PaymentIntent's metadata or id, is settled: the invoice paid, or the failure counted and the retry " +
          "scheduled), `charge.refunded` (refunds made in Stripe are brought in with their credit notes), " +
          "`charge.dispute.created` (the invoice becomes `disputed`). Each event changes the books once, in any " +
          "order, however often it comes: an event id seen before answers 200 `duplicate` at once. Other types " +
          "answer 200 `ignored`."
      )
  )
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Gateways")
  .annotate(OpenApi.Description, "Payment gateways calling in: their webhooks, verified by signature.")
{}
