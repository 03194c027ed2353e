import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const SubscriptionsHandlers = HttpApiBuilder.group(ProvisioApi, "subscriptions", (handlers) =>
  Effect.map(Subscriptions, (subscriptions) =>
    handlers
      .handle("listSubscriptions", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) =>
          subscriptions.listSubscriptions(p, { customer_id: urlParams.customer_id, status: urlParams.status }, page)))
      .handle("getSubscription", ({ path }) => asCaller((p) => subscriptions.getSubscription(p, path.subscriptionId)))
      .handle("updateSubscription", ({ path, payload }) =>
        asCaller((p) => subscriptions.updateSubscription(p, path.subscriptionId, payload)))
      .handle("getSubscriptionCharacteristics", ({ path }) =>
        asCaller((p) => subscriptions.getCharacteristics(p, path.subscriptionId)))
      .handle("getInstallmentPlan", ({ path }) =>
        asCaller((p) => subscriptions.getInstallmentPlan(p, path.subscriptionId)))
      .handle("getCustomFields", ({ path }) => asCaller((p) => subscriptions.getCustomFields(p, path.subscriptionId)))
      .handle("updateCustomFields", ({ path, payload }) =>
        asCaller((p) => subscriptions.updateCustomFields(p, path.subscriptionId, payload)))
      .handle("cancelSubscription", ({ path, payload }) =>
        asCaller((p) => subscriptions.cancelSubscription(p, path.subscriptionId, payload?.when ?? "immediately")))
      .handle("requestQuantityDecrease", ({ path, payload }) =>
        asCaller((p) => subscriptions.requestQuantityDecrease(p, path.subscriptionId, payload.quantity)))
      .handle("getQuantityRequest", ({ path }) =>
        asCaller((p) => subscriptions.getQuantityRequest(p, path.subscriptionId, path.requestId)))
      .handle("cancelAddonAtPeriodEnd", ({ path }) =>
        asCaller((p) => subscriptions.cancelAddonAtPeriodEnd(p, path.subscriptionId, path.addonId)))
  ))
