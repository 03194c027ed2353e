import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { DomainEvent } from "@provisio/core/events/model"
import * as Schema from "effect/Schema"
import { PageEnvelope } from "../envelope.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { CustomerId } from "@provisio/core/customers/model"

/** `?type=` an exact type or a prefix ending in `*`; `?customer_id=` one customer's. */
export const EventListQuery = Schema.Struct({
  ...PageQuery.fields,
  type: Schema.optional(Schema.String),
  customer_id: Schema.optional(CustomerId)
})

export class EventsApi extends HttpApiGroup.make("events")
  .add(
    HttpApiEndpoint.get("listEvents", "/events")
      .setUrlParams(EventListQuery)
      .addSuccess(PageEnvelope(DomainEvent))
      .annotate(
        OpenApi.Description,
        "The domain events of the caller's scope, oldest first: `order.*`, `subscription.created|updated|cancelled|" +
          "expired|renewed`, `quantity_request.*`. Each is written in the transaction of the change it describes. " +
          "`type` filters by an exact type or a prefix ending in `*` (`subscription.*`)."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
