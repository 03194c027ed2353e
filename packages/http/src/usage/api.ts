import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { Timestamp } from "@provisio/core/shared/time"
import { IngestResult, MAX_USAGE_BATCH, UsageGroupBy, UsageSummary } from "@provisio/core/usage/model"
import * as Schema from "effect/Schema"
import { Envelope } from "../envelope.js"
import { Authentication } from "../middleware/authentication.js"
import { SubscriptionId } from "@provisio/core/subscriptions/model"

const RECORDS_MESSAGE = `must be a list of 1 to ${MAX_USAGE_BATCH.toLocaleString("en-US")} usage records`

/**
 * The records are decoded one by one by the use case (a bad one is rejected, the rest go on),
 * so the body only checks that there is a list of a size one call may carry.
 */
export class IngestUsage extends Schema.Class<IngestUsage>("IngestUsage")({
  records: Schema.Array(Schema.Unknown).annotations({ message: () => RECORDS_MESSAGE }).pipe(
    Schema.minItems(1, { message: () => RECORDS_MESSAGE }),
    Schema.maxItems(MAX_USAGE_BATCH, { message: () => RECORDS_MESSAGE })
  )
}) {}

/** An ISO 8601 instant in a query string (the storage side of `Timestamp`, dates, is not one). */
const QueryTimestamp = Schema.compose(Schema.String, Timestamp, { strict: false }).annotations({
  jsonSchema: { type: "string", format: "date-time" }
})

export const UsageQuery = Schema.Struct({
  subscription_id: SubscriptionId,
  from: Schema.optional(QueryTimestamp),
  to: Schema.optional(QueryTimestamp),
  /** Default `sku`. */
  group_by: Schema.optional(UsageGroupBy)
})

export class UsageApi extends HttpApiGroup.make("usage")
  .add(
    HttpApiEndpoint.post("ingestUsage", "/usage")
      .setPayload(IngestUsage)
      .addSuccess(Envelope(IngestResult))
      .annotate(
        OpenApi.Description,
        "Reports metered usage: `records` [{transaction_id, subscription_id, sku_id (id or code), quantity " +
          "(decimal string or whole number), occurred_at}], 1 to 1,000 a call. Each record is accepted, a " +
          "duplicate (its transaction_id was seen before for the customer, even in a call running at the same " +
          "time: it is stored once) or rejected with its index and a code: invalid_record, unknown_subscription " +
          "(missing or outside the caller's scope), unknown_sku (or not on the subscription's plan), " +
          "invalid_quantity (negative, or 12 digits or more before the point, or bringing the subscription's usage of " +
          "the SKU in its period to 1000000000000), outside_subscription (before it started or after it ended), " +
          "future_timestamp (more than 5 minutes ahead), period_closed (the period's invoice is finalized). The " +
          "good records of a call are stored whatever happens to the others. Crossing a SKU threshold raises " +
          "`usage.threshold_crossed` once per threshold per period. Usage comes from the channel's systems: the " +
          "platform, distributors and partners (not viewers, not customers)."
      )
  )
  .add(
    HttpApiEndpoint.get("getUsage", "/usage")
      .setUrlParams(UsageQuery)
      .addSuccess(Envelope(UsageSummary))
      .annotate(
        OpenApi.Description,
        "The subscription's usage totals per SKU (`group_by=sku`, the default) or per SKU per UTC day " +
          "(`group_by=day`), of the records that occurred in [`from`, `to`) (either may be left open)."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
