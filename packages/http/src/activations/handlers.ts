import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Activations } from "@provisio/core/activations/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const ActivationsHandlers = HttpApiBuilder.group(ProvisioApi, "activations", (handlers) =>
  Effect.map(Activations, (activations) =>
    handlers
      .handle("listNetworks", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => activations.listNetworks(p, path.subscriptionId, page)))
      .handle("createNetwork", ({ path, payload }) =>
        asCaller((p) => activations.createNetwork(p, path.subscriptionId, payload)))
      .handle("getNetwork", ({ path }) => asCaller((p) => activations.getNetwork(p, path.subscriptionId, path.networkId)))
      .handle("updateNetwork", ({ path, payload }) =>
        asCaller((p) => activations.updateNetwork(p, path.subscriptionId, path.networkId, payload)))
      .handle("deleteNetwork", ({ path }) =>
        asCaller((p) => activations.deleteNetwork(p, path.subscriptionId, path.networkId)))
      .handle("listSsids", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => activations.listSsids(p, path.subscriptionId, page)))
      .handle("createSsid", ({ path, payload }) =>
        asCaller((p) => activations.createSsid(p, path.subscriptionId, payload)))
      .handle("getSsid", ({ path }) => asCaller((p) => activations.getSsid(p, path.subscriptionId, path.ssidId)))
      .handle("updateSsid", ({ path, payload }) =>
        asCaller((p) => activations.updateSsid(p, path.subscriptionId, path.ssidId, payload)))
      .handle("deleteSsid", ({ path }) => asCaller((p) => activations.deleteSsid(p, path.subscriptionId, path.ssidId)))
      .handle("listDevices", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => activations.listDevices(p, path.subscriptionId, path.networkId, page)))
      .handle("createDevice", ({ path, payload }) =>
        asCaller((p) => activations.createDevice(p, path.subscriptionId, path.networkId, payload)))
      .handle("getDevice", ({ path }) =>
        asCaller((p) => activations.getDevice(p, path.subscriptionId, path.networkId, path.deviceId)))
      .handle("updateDevice", ({ path, payload }) =>
        asCaller((p) => activations.updateDevice(p, path.subscriptionId, path.networkId, path.deviceId, payload)))
      .handle("deleteDevice", ({ path }) =>
        asCaller((p) => activations.deleteDevice(p, path.subscriptionId, path.networkId, path.deviceId)))
  ))
