import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  CreateDevice,
  CreateNetwork,
  CreateSsid,
  Device,
  DeviceId,
  Network,
  NetworkId,
  Ssid,
  SsidId,
  UpdateDevice,
  UpdateNetwork,
  UpdateSsid
} from "@provisio/core/activations/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { EditionForbiddenError, InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { SubscriptionId } from "@provisio/core/subscriptions/model"

const SubscriptionPath = Schema.Struct({ subscriptionId: PathParam(SubscriptionId) })
const NetworkPath = Schema.Struct({ subscriptionId: PathParam(SubscriptionId), networkId: PathParam(NetworkId) })
const SsidPath = Schema.Struct({ subscriptionId: PathParam(SubscriptionId), ssidId: PathParam(SsidId) })
const DevicePath = Schema.Struct({ subscriptionId: PathParam(SubscriptionId), networkId: PathParam(NetworkId), deviceId: PathParam(DeviceId) })

const CHANGE =
  "Only on an active subscription (409 invalid_state otherwise). Each change is a domain event " +
  "(`*.created|updated|deleted`, with `subscription_id` and `product_id`) written with it. Free-edition " +
  "partners and their customers read only (403 edition_forbidden); viewers read only."

const base = "/subscriptions/:subscriptionId"

export class ActivationsApi extends HttpApiGroup.make("activations")
  // Networks
  .add(
    HttpApiEndpoint.get("listNetworks", `${base}/networks`)
      .setPath(SubscriptionPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Network))
      .annotate(OpenApi.Description, "The networks the subscription's service is activated on, oldest first.")
  )
  .add(
    HttpApiEndpoint.post("createNetwork", `${base}/networks`)
      .setPath(SubscriptionPath)
      .setPayload(CreateNetwork)
      .addSuccess(Envelope(Network), { status: 201 })
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, `Activates the service on a network (\`net_\`). ${CHANGE}`)
  )
  .add(
    HttpApiEndpoint.get("getNetwork", `${base}/networks/:networkId`)
      .setPath(NetworkPath)
      .addSuccess(Envelope(Network))
  )
  .add(
    HttpApiEndpoint.put("updateNetwork", `${base}/networks/:networkId`)
      .setPath(NetworkPath)
      .setPayload(UpdateNetwork)
      .addSuccess(Envelope(Network))
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, `Changes the fields given; \`configuration\` is replaced whole. ${CHANGE}`)
  )
  .add(
    HttpApiEndpoint.del("deleteNetwork", `${base}/networks/:networkId`)
      .setPath(NetworkPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, `A network still named by SSIDs or devices is 409 invalid_state. ${CHANGE}`)
  )
  // SSIDs
  .add(
    HttpApiEndpoint.get("listSsids", `${base}/ssids`)
      .setPath(SubscriptionPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Ssid))
  )
  .add(
    HttpApiEndpoint.post("createSsid", `${base}/ssids`)
      .setPath(SubscriptionPath)
      .setPayload(CreateSsid)
      .addSuccess(Envelope(Ssid), { status: 201 })
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(
        OpenApi.Description,
        `Activates the service on an SSID (\`ssid_\`); \`network_id\`, when given, is one of the subscription's networks. ${CHANGE}`
      )
  )
  .add(
    HttpApiEndpoint.get("getSsid", `${base}/ssids/:ssidId`)
      .setPath(SsidPath)
      .addSuccess(Envelope(Ssid))
  )
  .add(
    HttpApiEndpoint.put("updateSsid", `${base}/ssids/:ssidId`)
      .setPath(SsidPath)
      .setPayload(UpdateSsid)
      .addSuccess(Envelope(Ssid))
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, CHANGE)
  )
  .add(
    HttpApiEndpoint.del("deleteSsid", `${base}/ssids/:ssidId`)
      .setPath(SsidPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, CHANGE)
  )
  // Devices
  .add(
    HttpApiEndpoint.get("listDevices", `${base}/networks/:networkId/devices`)
      .setPath(NetworkPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Device))
  )
  .add(
    HttpApiEndpoint.post("createDevice", `${base}/networks/:networkId/devices`)
      .setPath(NetworkPath)
      .setPayload(CreateDevice)
      .addSuccess(Envelope(Device), { status: 201 })
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, `Activates the service on a device (\`dev_\`) of the network. ${CHANGE}`)
  )
  .add(
    HttpApiEndpoint.get("getDevice", `${base}/networks/:networkId/devices/:deviceId`)
      .setPath(DevicePath)
      .addSuccess(Envelope(Device))
  )
  .add(
    HttpApiEndpoint.put("updateDevice", `${base}/networks/:networkId/devices/:deviceId`)
      .setPath(DevicePath)
      .setPayload(UpdateDevice)
      .addSuccess(Envelope(Device))
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, CHANGE)
  )
  .add(
    HttpApiEndpoint.del("deleteDevice", `${base}/networks/:networkId/devices/:deviceId`)
      .setPath(DevicePath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Description, CHANGE)
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
