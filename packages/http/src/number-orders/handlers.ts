import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { NumberOrders } from "@provisio/core/number-orders/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const NumberOrdersHandlers = HttpApiBuilder.group(ProvisioApi, "numberOrders", (handlers) =>
  Effect.map(NumberOrders, (orders) =>
    handlers
      .handle("orderAnyNumbers", ({ path, payload }) =>
        asCaller((p) => orders.orderAny(p, path.customerId, path.productId, payload)))
      .handle("orderReservedNumbers", ({ path, payload }) =>
        asCaller((p) => orders.orderReserved(p, path.customerId, path.productId, payload)))
      .handle("orderNumberRange", ({ path, payload }) =>
        asCaller((p) => orders.orderRange(p, path.customerId, path.productId, payload)))
      .handle("portNumbers", ({ path, payload }) =>
        asCaller((p) => orders.orderPort(p, path.customerId, path.productId, payload)))
      .handle("moveNumbers", ({ path, payload }) =>
        asCaller((p) => orders.orderMove(p, path.customerId, path.productId, payload)))
      .handle("changeNumbers", ({ path, payload }) =>
        asCaller((p) => orders.orderChange(p, path.customerId, path.productId, payload)))
      .handle("deleteNumbers", ({ path, payload }) =>
        asCaller((p) => orders.orderDelete(p, path.customerId, path.productId, payload)))
      .handle("deleteAllNumbers", ({ path }) => asCaller((p) => orders.orderDeleteAll(p, path.customerId, path.productId)))
      .handle("completePort", ({ path }) => asCaller((p) => orders.completePort(p, path.number)))
      .handle("cancelPort", ({ path }) => asCaller((p) => orders.cancelPort(p, path.number)))
  ))
