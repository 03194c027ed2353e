import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { AddOrderItem, CreateOrder, Order, OrderId, OrderStatus } from "@provisio/core/ordering/model"
import * as Schema from "effect/Schema"
import { Envelope, NoBody, PageEnvelope } from "../envelope.js"
import { EditionForbiddenError, InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"

const OrderPath = Schema.Struct({ orderId: PathParam(OrderId) })
const CustomerPath = Schema.Struct({ customerId: PathParam(CustomerId) })
const CustomerOrderPath = Schema.Struct({ customerId: PathParam(CustomerId), orderId: PathParam(OrderId) })

export const OrderListQuery = Schema.Struct({
  ...PageQuery.fields,
  customer_id: Schema.optional(CustomerId),
  status: Schema.optional(OrderStatus)
})

/** Checking out takes no fields: the body may be empty (or `{}`). */

const EDITION =
  "Free-edition partners and their customers read orders but may not order, check out or cancel (403 " +
  "edition_forbidden); viewers read only."

export class OrderingApi extends HttpApiGroup.make("ordering")
  .add(
    HttpApiEndpoint.get("listOrders", "/orders")
      .setUrlParams(OrderListQuery)
      .addSuccess(PageEnvelope(Order))
      .annotate(OpenApi.Description, "The orders of the caller's scope, oldest first.")
  )
  .add(
    HttpApiEndpoint.post("createOrder", "/orders")
      .setPayload(CreateOrder)
      .addSuccess(Envelope(Order), { status: 201 })
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, `A draft order for one of the caller's customers. ${EDITION}`)
  )
  .add(HttpApiEndpoint.get("getOrder", "/orders/:orderId").setPath(OrderPath).addSuccess(Envelope(Order)))
  .add(
    HttpApiEndpoint.del("cancelOrder", "/orders/:orderId")
      .setPath(OrderPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, `Cancels a draft or submitted order; any other is 409 invalid_state. ${EDITION}`)
  )
  .add(
    HttpApiEndpoint.post("addOrderItem", "/orders/:orderId/items")
      .setPath(OrderPath)
      .setPayload(AddOrderItem)
      .addSuccess(Envelope(Order), { status: 201 })
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(
        OpenApi.Description,
        "Adds an item to a draft and answers the order. Name a `plan_id` (a new subscription; with " +
          "`parent_subscription_id` an add-on, whose plan must be among the parent plan's `addon_plan_ids`), a " +
          "`subscription_id` (raise that subscription's quantity by `quantity`) or a `sku_id` (units bought once). " +
          "`characteristics` are checked against the product's: required ones present, types, enum values. Every " +
          `item of an order is priced in one currency. ${EDITION}`
      )
  )
  .add(
    HttpApiEndpoint.post("checkoutOrder", "/orders/:orderId/checkout")
      .setPath(OrderPath)
      .setPayload(NoBody)
      .addSuccess(Envelope(Order))
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(
        OpenApi.Description,
        "Checks every item again and, in one transaction, creates the subscriptions (active, the plan's published " +
          "version, the first period from now in the customer's time zone), raises quantities and writes the " +
          "events. An order that cannot be fulfilled fails whole: `status` failed, each item's `error` says why, " +
          `nothing else changes. ${EDITION}`
      )
  )
  .add(
    HttpApiEndpoint.get("listCustomerOrders", "/customers/:customerId/orders")
      .setPath(CustomerPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Order))
  )
  .add(
    HttpApiEndpoint.get("getCustomerOrder", "/customers/:customerId/orders/:orderId")
      .setPath(CustomerOrderPath)
      .addSuccess(Envelope(Order))
  )
  .add(
    HttpApiEndpoint.del("cancelCustomerOrder", "/customers/:customerId/orders/:orderId")
      .setPath(CustomerOrderPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, `Cancels a draft or submitted order of the customer. ${EDITION}`)
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
