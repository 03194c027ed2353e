import type { PushAction, ResourceKind } from "../provisioning/calls.js"

/** Which events become which provisioning calls. */

export const SUBSCRIPTION_ACTIONS: Record<string, PushAction> = {
  "subscription.created": "CREATE",
  "subscription.updated": "UPDATE",
  "subscription.renewed": "UPDATE",
  // Dunning: the provider stops (status `suspended`) and restores (`active`) the service.
  "subscription.suspended": "UPDATE",
  "subscription.resumed": "UPDATE",
  "quantity_request.created": "UPDATE",
  "subscription.cancelled": "DELETE",
  "subscription.expired": "DELETE"
}

/**
 * Activation events (`network|ssid|device.created|updated|deleted`, data `{subscription_id,
 * product_id, network|ssid|device}`): the endpoint they go to and the action.
 */
const ACTIVATION_KINDS: Record<string, ResourceKind> = { network: "networks", ssid: "ssids", device: "devices" }
const ACTIVATION_ACTIONS: Record<string, PushAction> = { created: "CREATE", updated: "UPDATE", deleted: "DELETE" }

export const activationOf = (type: string) => {
  const [resource, verb] = type.split(".")
  const kind = resource === undefined ? undefined : ACTIVATION_KINDS[resource]
  const action = verb === undefined ? undefined : ACTIVATION_ACTIONS[verb]
  return kind === undefined || action === undefined || resource === undefined ? null : { resource, kind, action }
}
