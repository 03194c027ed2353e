import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { PersistenceError } from "../shared/errors.js"
import type { Money } from "../shared/money.js"

/**
 * Payment gateways seen from the collection: which adapter a payment method names, and what
 * their webhooks tell us, read and verified by the gateway's adapter.
 */

/** The gateway of money received outside any provider (bank transfer, cash): it takes no automatic charge. */
export const MANUAL_GATEWAY = "manual"

/** The gateway a payment method names; none means money received by hand. */
export const gatewayOf = (method: { readonly gateway: string | null } | null): string =>
  method?.gateway ?? MANUAL_GATEWAY

/**
 * What a gateway's webhook event says, in our terms. `reference` is the gateway's id of the
 * charge as stored on the attempt and the payment (`gateway_reference`: a Stripe PaymentIntent);
 * `attempt_id` our attempt's id when the gateway carries it back (metadata).
 */
export type GatewayNotification =
  | {
    readonly kind: "charge_succeeded"
    readonly event_id: string
    readonly type: string
    readonly reference: string
    readonly attempt_id: string | null
  }
  | {
    readonly kind: "charge_failed"
    readonly event_id: string
    readonly type: string
    readonly reference: string
    readonly attempt_id: string | null
    readonly decline_code: string | null
    readonly reason: string
  }
  | {
    readonly kind: "refunded"
    readonly event_id: string
    readonly type: string
    readonly reference: string
    /** Everything refunded of the charge so far, by whoever (our API, the provider's dashboard). */
    readonly refunded: Money
    /** The provider's id of the latest refund, when the event carries it. */
    readonly refund_reference: string | null
  }
  | { readonly kind: "disputed"; readonly event_id: string; readonly type: string; readonly reference: string }
  | { readonly kind: "ignored"; readonly event_id: string; readonly type: string }

/** A webhook call that is not the gateway's: no or a bad signature, or no secret to check it with. */
export class WebhookRejected extends Schema.TaggedError<WebhookRejected>()("WebhookRejected", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {}

/** Reads a gateway's webhook call: checks its signature and says what it means. */
export class GatewayWebhookReader extends Context.Tag("@provisio/core/GatewayWebhookReader")<GatewayWebhookReader, {
  readonly read: (
    gateway: string,
    payload: string,
    signature: string | undefined,
    receivedAt: DateTime.Utc
  ) => Effect.Effect<GatewayNotification, WebhookRejected>
}>() {}

/** The gateway events already processed, so a duplicate changes nothing. */
export class GatewayEventLog extends Context.Tag("@provisio/core/GatewayEventLog")<GatewayEventLog, {
  /** Records the event as processed in the caller's transaction; false when it was already. */
  readonly record: (
    gateway: string,
    eventId: string,
    type: string,
    at: DateTime.Utc
  ) => Effect.Effect<boolean, PersistenceError>
}>() {}
