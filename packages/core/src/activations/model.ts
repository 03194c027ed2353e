import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { CONFIGURATION_LIMITS, FreeForm } from "../shared/free-form.js"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"
import { Name, StorableString } from "../shared/text.js"
import { SubscriptionId } from "../subscriptions/model.js"

/**
 * Activations: where a subscription's service runs. A subscription is activated on networks
 * (`net_`), on SSIDs (`ssid_`, optionally of one of its networks) and on devices (`dev_`, always
 * in one of its networks). Each change is a `network.*`, `ssid.*` or `device.*` event that the
 * delivery engine turns into the provider's CREATE / UPDATE / DELETE call.
 */

export const NetworkId = prefixedId("net", "NetworkId")
export type NetworkId = typeof NetworkId.Type
export const SsidId = prefixedId("ssid", "SsidId")
export type SsidId = typeof SsidId.Type
export const DeviceId = prefixedId("dev", "DeviceId")
export type DeviceId = typeof DeviceId.Type

export const ActivationKind = Schema.Literal("network", "ssid", "device")
export type ActivationKind = typeof ActivationKind.Type


const Settings = FreeForm(Schema.Unknown, CONFIGURATION_LIMITS)
/** A network's type, a device's serial or model: the caller's words, kept as given. */
const Attribute = StorableString.pipe(Schema.maxLength(200))
export const SsidSecurity = Schema.Literal("open", "wep", "wpa2", "wpa3", "wpa2_enterprise", "wpa3_enterprise")
const Mac = Schema.String.pipe(
  Schema.pattern(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, { message: () => "must be a MAC address such as 00:1a:2b:3c:4d:5e" })
)

export class Network extends Schema.Class<Network>("Network")({
  id: NetworkId,
  subscription_id: SubscriptionId,
  name: Schema.String,
  type: Schema.NullOr(Schema.String),
  configuration: Settings,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class Ssid extends Schema.Class<Ssid>("Ssid")({
  id: SsidId,
  subscription_id: SubscriptionId,
  network_id: Schema.NullOr(NetworkId),
  name: Schema.String,
  security: SsidSecurity,
  hidden: Schema.Boolean,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class Device extends Schema.Class<Device>("Device")({
  id: DeviceId,
  subscription_id: SubscriptionId,
  network_id: NetworkId,
  name: Schema.String,
  serial: Schema.NullOr(Schema.String),
  mac: Schema.NullOr(Schema.String),
  model: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class CreateNetwork extends Schema.Class<CreateNetwork>("CreateNetwork")({
  name: Name,
  type: Schema.optional(Schema.NullOr(Attribute)),
  configuration: Schema.optional(Settings)
}) {}

export class UpdateNetwork extends Schema.Class<UpdateNetwork>("UpdateNetwork")({
  name: Schema.optional(Name),
  type: Schema.optional(Schema.NullOr(Attribute)),
  configuration: Schema.optional(Settings)
}) {}

export class CreateSsid extends Schema.Class<CreateSsid>("CreateSsid")({
  name: Name,
  network_id: Schema.optional(Schema.NullOr(NetworkId)),
  /** Default `wpa2`. */
  security: Schema.optional(SsidSecurity),
  /** Default false. */
  hidden: Schema.optional(Schema.Boolean)
}) {}

export class UpdateSsid extends Schema.Class<UpdateSsid>("UpdateSsid")({
  name: Schema.optional(Name),
  network_id: Schema.optional(Schema.NullOr(NetworkId)),
  security: Schema.optional(SsidSecurity),
  hidden: Schema.optional(Schema.Boolean)
}) {}

export class CreateDevice extends Schema.Class<CreateDevice>("CreateDevice")({
  name: Name,
  serial: Schema.optional(Schema.NullOr(Attribute)),
  mac: Schema.optional(Schema.NullOr(Mac)),
  model: Schema.optional(Schema.NullOr(Attribute))
}) {}

export class UpdateDevice extends Schema.Class<UpdateDevice>("UpdateDevice")({
  name: Schema.optional(Name),
  serial: Schema.optional(Schema.NullOr(Attribute)),
  mac: Schema.optional(Schema.NullOr(Mac)),
  model: Schema.optional(Schema.NullOr(Attribute))
}) {}

/**
 * One stored activation of any kind: the columns every kind has, and the kind's own fields
 * (`attributes`: a network's type and configuration, an SSID's security and hidden flag, a
 * device's serial, MAC and model).
 */
export interface StoredActivation {
  readonly kind: ActivationKind
  readonly id: string
  readonly subscription_id: string
  readonly customer_id: string
  readonly lineage: ReadonlyArray<string>
  /** An SSID's (optional) or a device's network. */
  readonly network_id: string | null
  readonly name: string
  readonly attributes: Record<string, unknown>
  readonly created_at: DateTime.Utc
  readonly updated_at: DateTime.Utc
}

export const toNetwork = (s: StoredActivation) =>
  new Network({
    id: s.id as NetworkId,
    subscription_id: s.subscription_id as SubscriptionId,
    name: s.name,
    type: (s.attributes.type as string | null | undefined) ?? null,
    configuration: (s.attributes.configuration as Record<string, unknown> | undefined) ?? {},
    created_at: s.created_at,
    updated_at: s.updated_at
  })

export const toSsid = (s: StoredActivation) =>
  new Ssid({
    id: s.id as SsidId,
    subscription_id: s.subscription_id as SubscriptionId,
    network_id: s.network_id as NetworkId | null,
    name: s.name,
    security: (s.attributes.security as typeof SsidSecurity.Type | undefined) ?? "wpa2",
    hidden: (s.attributes.hidden as boolean | undefined) ?? false,
    created_at: s.created_at,
    updated_at: s.updated_at
  })

export const toDevice = (s: StoredActivation) =>
  new Device({
    id: s.id as DeviceId,
    subscription_id: s.subscription_id as SubscriptionId,
    network_id: s.network_id as NetworkId,
    name: s.name,
    serial: (s.attributes.serial as string | null | undefined) ?? null,
    mac: (s.attributes.mac as string | null | undefined) ?? null,
    model: (s.attributes.model as string | null | undefined) ?? null,
    created_at: s.created_at,
    updated_at: s.updated_at
  })
