import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Ordering } from "@provisio/core/ordering/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const OrderingHandlers = HttpApiBuilder.group(ProvisioApi, "ordering", (handlers) =>
  Effect.map(Ordering, (ordering) =>
    handlers
      .handle("listOrders", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) =>
          ordering.listOrders(p, { customer_id: urlParams.customer_id, status: urlParams.status }, page)))
      .handle("createOrder", ({ payload }) => asCaller((p) => ordering.createOrder(p, payload)))
      .handle("getOrder", ({ path }) => asCaller((p) => ordering.getOrder(p, path.orderId)))
      .handle("cancelOrder", ({ path }) => asCaller((p) => ordering.cancelOrder(p, path.orderId)))
      .handle("addOrderItem", ({ path, payload }) => asCaller((p) => ordering.addItem(p, path.orderId, payload)))
      .handle("checkoutOrder", ({ path }) => asCaller((p) => ordering.checkout(p, path.orderId)))
      .handle("listCustomerOrders", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => ordering.listCustomerOrders(p, path.customerId, page)))
      .handle("getCustomerOrder", ({ path }) =>
        asCaller((p) => ordering.getOrder(p, path.orderId, path.customerId)))
      .handle("cancelCustomerOrder", ({ path }) =>
        asCaller((p) => ordering.cancelOrder(p, path.orderId, path.customerId)))
  ))
