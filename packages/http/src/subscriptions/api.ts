import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  CancelSubscription,
  ChangeQuantity,
  Characteristics,
  CustomFields,
  CustomFieldsBody,
  InstallmentPlan,
  QuantityRequest,
  QuantityRequestAccepted,
  QuantityRequestId,
  Subscription,
  SubscriptionId,
  SubscriptionStatus,
  UpdateSubscription
} from "@provisio/core/subscriptions/model"
import * as Schema from "effect/Schema"
import { Envelope, NoBody, PageEnvelope } from "../envelope.js"
import { EditionForbiddenError, InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"

const SubscriptionPath = Schema.Struct({ subscriptionId: PathParam(SubscriptionId) })
const RequestPath = Schema.Struct({ subscriptionId: PathParam(SubscriptionId), requestId: PathParam(QuantityRequestId) })
const AddonPath = Schema.Struct({ subscriptionId: PathParam(SubscriptionId), addonId: PathParam(SubscriptionId) })

export const SubscriptionListQuery = Schema.Struct({
  ...PageQuery.fields,
  customer_id: Schema.optional(CustomerId),
  status: Schema.optional(SubscriptionStatus)
})

/** The body of a cancellation may be empty: `immediately`. */
export const CancelBody = Schema.NullOr(CancelSubscription).annotations({ identifier: "CancelBody" })

/** Cancelling an add-on at its period end takes no fields: the body may be empty (or `{}`). */

const EDITION =
  "Free-edition partners and their customers read subscriptions but may not change them (403 edition_forbidden); " +
  "viewers read only."

export class SubscriptionsApi extends HttpApiGroup.make("subscriptions")
  .add(
    HttpApiEndpoint.get("listSubscriptions", "/subscriptions")
      .setUrlParams(SubscriptionListQuery)
      .addSuccess(PageEnvelope(Subscription))
      .annotate(OpenApi.Description, "The subscriptions of the caller's scope, oldest first.")
  )
  .add(
    HttpApiEndpoint.get("getSubscription", "/subscriptions/:subscriptionId")
      .setPath(SubscriptionPath)
      .addSuccess(Envelope(Subscription))
  )
  .add(
    HttpApiEndpoint.put("updateSubscription", "/subscriptions/:subscriptionId")
      .setPath(SubscriptionPath)
      .setPayload(UpdateSubscription)
      .addSuccess(Envelope(Subscription))
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(
        OpenApi.Description,
        "`auto_renew` (of an active subscription: off, it expires at the end of its term) and a custom `name`. " +
          EDITION
      )
  )
  .add(
    HttpApiEndpoint.get("getSubscriptionCharacteristics", "/subscriptions/:subscriptionId/characteristics")
      .setPath(SubscriptionPath)
      .addSuccess(Envelope(Characteristics))
  )
  .add(
    HttpApiEndpoint.get("getInstallmentPlan", "/subscriptions/:subscriptionId/currentInstallmentplan")
      .setPath(SubscriptionPath)
      .addSuccess(Envelope(InstallmentPlan))
      .annotate(
        OpenApi.Description,
        "The current term's installments of a committed plan, one per billing interval, paid once due. Empty for " +
          "plans without a commitment."
      )
  )
  .add(
    HttpApiEndpoint.get("getCustomFields", "/subscriptions/:subscriptionId/customfields")
      .setPath(SubscriptionPath)
      .addSuccess(Envelope(CustomFields))
  )
  .add(
    HttpApiEndpoint.put("updateCustomFields", "/subscriptions/:subscriptionId/customfields")
      .setPath(SubscriptionPath)
      .setPayload(CustomFieldsBody)
      .addSuccess(Envelope(CustomFields))
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, `Replaces the custom fields whole. ${EDITION}`)
  )
  .add(
    HttpApiEndpoint.post("cancelSubscription", "/subscriptions/:subscriptionId/cancel")
      .setPath(SubscriptionPath)
      .setPayload(CancelBody)
      .addSuccess(Envelope(Subscription))
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(
        OpenApi.Description,
        "`when`: `immediately` (the default) or `end_of_billing_period` (it stays active until its period ends, " +
          "then the scheduler cancels it). Its add-ons end with it. A subscription that is not active is 409 " +
          `invalid_state. ${EDITION}`
      )
  )
  .add(
    HttpApiEndpoint.post("requestQuantityDecrease", "/subscriptions/:subscriptionId/quantity")
      .setPath(SubscriptionPath)
      .setPayload(ChangeQuantity)
      .addSuccess(Envelope(QuantityRequestAccepted), { status: 202 })
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(
        OpenApi.Description,
        "A quantity decrease, asynchronous: answers the request (`request_id`, `state`) to poll. It completes when " +
          "the provisioning side acknowledges it, at once when the product has none. Raise a quantity by ordering " +
          `(an order item with \`subscription_id\`). ${EDITION}`
      )
  )
  .add(
    HttpApiEndpoint.get("getQuantityRequest", "/subscriptions/:subscriptionId/quantityrequest/:requestId")
      .setPath(RequestPath)
      .addSuccess(Envelope(QuantityRequest))
      .annotate(OpenApi.Description, "`state`: pending, completed or failed (`reason` says why).")
  )
  .add(
    HttpApiEndpoint.post("cancelAddonAtPeriodEnd", "/subscriptions/:subscriptionId/addons/:addonId/cancelendofbillingperiod")
      .setPath(AddonPath)
      .setPayload(NoBody)
      .addSuccess(Envelope(Subscription))
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(
        OpenApi.Description,
        `The add-on stays active until its billing period ends, then the scheduler cancels it. ${EDITION}`
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
