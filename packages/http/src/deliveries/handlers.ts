import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Deliveries } from "@provisio/core/deliveries/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const DeliveriesHandlers = HttpApiBuilder.group(ProvisioApi, "deliveries", (handlers) =>
  Effect.map(Deliveries, (deliveries) =>
    handlers
      .handle("listDeliveries", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) =>
          deliveries.listDeliveries(p, { status: urlParams.status, target: urlParams.target }, page)))
      .handle("getDeliveryStats", () => asCaller((p) => deliveries.getStats(p)))
      .handle("getDelivery", ({ path }) => asCaller((p) => deliveries.getDelivery(p, path.id)))
      .handle("replayDelivery", ({ path }) => asCaller((p) => deliveries.replayDelivery(p, path.id)))
      .handle("getSubscriptionProvisioning", ({ path }) =>
        asCaller((p) => deliveries.getSubscriptionProvisioning(p, path.subscriptionId)))
  ))
