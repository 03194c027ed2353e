import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  Delivery,
  DeliveryDetail,
  DeliveryId,
  DeliveryStats,
  DeliveryStatus,
  SubscriptionProvisioning
} from "@provisio/core/deliveries/model"
import * as Schema from "effect/Schema"
import { Envelope, NoBody, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { SubscriptionId } from "@provisio/core/subscriptions/model"

const DeliveryPath = Schema.Struct({ id: PathParam(DeliveryId) })

/** A replay takes no fields: the body may be empty (or `{}`). */

/** `?status=` pending, retrying, delivered or dead; `?target=` a product id or a webhook id. */
export const DeliveryListQuery = Schema.Struct({
  ...PageQuery.fields,
  status: Schema.optional(Schema.String.annotations({ jsonSchema: { type: "string", enum: DeliveryStatus.literals } })),
  target: Schema.optional(Schema.String.annotations({ description: "A product id (prd_...) or a webhook id (whk_...)" }))
})

export class DeliveriesApi extends HttpApiGroup.make("deliveries")
  .add(
    HttpApiEndpoint.get("listDeliveries", "/deliveries")
      .setUrlParams(DeliveryListQuery)
      .addSuccess(PageEnvelope(Delivery))
      .annotate(
        OpenApi.Description,
        "The deliveries (provisioning pushes and webhook calls) of the events of the caller's scope, oldest first. " +
          "`status` filters by pending, retrying, delivered or dead; `target` by product id or webhook id."
      )
  )
  .add(
    HttpApiEndpoint.get("getDeliveryStats", "/deliveries/stats")
      .addSuccess(Envelope(DeliveryStats))
      .annotate(
        OpenApi.Description,
        "How the delivery engine stands for the caller's scope, per target (a product's provider or a webhook): " +
          "deliveries queued, due and in flight, retrying and dead, the oldest due one's wait, the circuit " +
          "(`open`: the provider kept failing and its calls wait until `open_until`; `half_open`: one probe call at " +
          "a time), and over the last `window_seconds` the attempts, failures and the lag from a delivery's " +
          "creation to its 2xx (p50, p99)."
      )
  )
  .add(
    HttpApiEndpoint.get("getDelivery", "/deliveries/:id")
      .setPath(DeliveryPath)
      .addSuccess(Envelope(DeliveryDetail))
      .annotate(OpenApi.Description, "A delivery with its body and every attempt (status, latency, the first KB of the answer).")
  )
  .add(
    HttpApiEndpoint.post("replayDelivery", "/deliveries/:id/replay")
      .setPath(DeliveryPath)
      .setPayload(NoBody)
      .addSuccess(Envelope(Delivery))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Sends a dead or delivered delivery again: it goes back to `pending`, due now; its attempts are kept. " +
          "A pending or retrying delivery answers 409. Viewers: 403."
      )
  )
  .add(
    HttpApiEndpoint.get("getSubscriptionProvisioning", "/subscriptions/:subscriptionId/provisioning")
      .setPath(Schema.Struct({ subscriptionId: PathParam(SubscriptionId) }))
      .addSuccess(Envelope(SubscriptionProvisioning))
      .annotate(
        OpenApi.Description,
        "The service configuration the provider answered for the subscription (null until one did) and how its " +
          "provisioning pushes stand."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
