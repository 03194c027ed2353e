import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { newEvent } from "../events/service.js"
import { EventLog } from "../events/ports.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireStandardEdition, requireWrite } from "../identity/policy.js"
import { InvalidState, NotFound, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import type { StoredSubscription } from "../subscriptions/model.js"
import { SubscriptionRepo } from "../subscriptions/ports.js"
import {
  type ActivationKind,
  type CreateDevice,
  type CreateNetwork,
  type CreateSsid,
  type StoredActivation,
  toDevice,
  toNetwork,
  toSsid,
  type UpdateDevice,
  type UpdateNetwork,
  type UpdateSsid
} from "./model.js"
import { ActivationRepo } from "./ports.js"
import { now } from "../shared/time.js"

const PREFIX: Record<ActivationKind, string> = { network: "net", ssid: "ssid", device: "dev" }
const LABEL: Record<ActivationKind, string> = { network: "network", ssid: "SSID", device: "device" }

/** The API view of a stored activation, as events carry it. */
const view = (stored: StoredActivation) => {
  switch (stored.kind) {
    case "network":
      return toNetwork(stored)
    case "ssid":
      return toSsid(stored)
    case "device":
      return toDevice(stored)
  }
}

/** Drops the keys whose value is `undefined` (fields a PUT leaves as they are). */
const defined = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

export const make = Effect.gen(function* () {
  const repo = yield* ActivationRepo
  const subscriptions = yield* SubscriptionRepo
  const log = yield* EventLog
  const transactor = yield* Transactor

  /** The subscription the caller may see; out of scope is indistinguishable from missing. */
  const findSubscription = (principal: Principal, id: string) =>
    subscriptions.findById(id).pipe(
      reachableBy(principal, "subscription", id)
    )

  const findActivation = (kind: ActivationKind, subscriptionId: string, id: string) =>
    repo.find(kind, subscriptionId, id).pipe(
      orNotFound(LABEL[kind], id)
    )

  /**
   * A change: the caller's scope, role and edition (activations are changes: a free partner only
   * reads), then, in the transaction, the subscription locked and active. Answers the locked
   * subscription.
   */
  const change = <A, E, R>(
    principal: Principal,
    subscriptionId: string,
    action: string,
    body: (subscription: StoredSubscription) => Effect.Effect<A, E, R>
  ) =>
    Effect.gen(function* () {
      yield* findSubscription(principal, subscriptionId)
      yield* requireWrite(principal)
      yield* requireStandardEdition(principal, action)
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const locked = yield* subscriptions.lock(subscriptionId).pipe(
          orNotFound("subscription", subscriptionId)
        )
        if (locked.subscription.status !== "active") {
          return yield* new InvalidState({
            message: `subscription ${subscriptionId} is ${locked.subscription.status}: cannot ${action}`
          })
        }
        return yield* body(locked)
      }))
    })

  const event = (type: "created" | "updated" | "deleted", subscription: StoredSubscription, stored: StoredActivation, extra: Record<string, unknown> = {}) =>
    Effect.gen(function* () {
      const encoded = JSON.parse(JSON.stringify(view(stored)))
      return yield* newEvent(
        `${stored.kind}.${type}`,
        { customer_id: subscription.subscription.customer_id, lineage: subscription.lineage },
        {
          subscription_id: subscription.subscription.id,
          product_id: subscription.subscription.product_id,
          [stored.kind]: encoded,
          ...extra
        }
      )
    })

  /** An SSID's or device's network must be one of the same subscription's networks. */
  const requireNetwork = (subscriptionId: string, networkId: string) =>
    findActivation("network", subscriptionId, networkId)

  /**
   * A `network_id` in a body: one that is not the subscription's is a field to fix (422 naming
   * it), as any id in a body is, not a missing resource (a path's network is 404).
   */
  const requireBodyNetwork = (subscriptionId: string, networkId: string) =>
    requireNetwork(subscriptionId, networkId).pipe(
      Effect.catchTag("NotFound", () =>
        ValidationError.of("network_id", `network ${networkId} is not one of subscription ${subscriptionId}'s`))
    )

  // Generic use cases --------------------------------------------------------------------------

  const list = (principal: Principal, kind: ActivationKind, subscriptionId: string, networkId: string | undefined, page: PageRequest) =>
    Effect.gen(function* () {
      yield* findSubscription(principal, subscriptionId)
      if (networkId !== undefined) yield* requireNetwork(subscriptionId, networkId)
      return yield* repo.list(kind, subscriptionId, networkId, page)
    })

  const get = (principal: Principal, kind: ActivationKind, subscriptionId: string, networkId: string | undefined, id: string) =>
    Effect.gen(function* () {
      yield* findSubscription(principal, subscriptionId)
      const stored = yield* findActivation(kind, subscriptionId, id)
      if (networkId !== undefined && stored.network_id !== networkId) return yield* NotFound.of(LABEL[kind], id)
      return stored
    })

  const create = (
    principal: Principal,
    kind: ActivationKind,
    subscriptionId: string,
    fields: { readonly name: string; readonly network_id: string | null; readonly attributes: Record<string, unknown> }
  ) =>
    change(principal, subscriptionId, `activate it on a ${LABEL[kind]}`, (subscription) =>
      Effect.gen(function* () {
        if (fields.network_id !== null) yield* requireBodyNetwork(subscriptionId, fields.network_id)
        const at = yield* now
        const stored: StoredActivation = {
          kind,
          id: yield* makeId(PREFIX[kind]),
          subscription_id: subscriptionId,
          customer_id: subscription.subscription.customer_id,
          lineage: subscription.lineage,
          network_id: fields.network_id,
          name: fields.name,
          attributes: fields.attributes,
          created_at: at,
          updated_at: at
        }
        yield* repo.insert(stored)
        yield* log.append([yield* event("created", subscription, stored)])
        return stored
      }))

  const update = (
    principal: Principal,
    kind: ActivationKind,
    subscriptionId: string,
    networkScope: string | undefined,
    id: string,
    fields: { readonly name?: string | undefined; readonly network_id?: string | null | undefined; readonly attributes: Record<string, unknown> }
  ) =>
    Effect.gen(function* () {
      yield* get(principal, kind, subscriptionId, networkScope, id)
      return yield* change(principal, subscriptionId, `change its ${LABEL[kind]}s`, (subscription) =>
        Effect.gen(function* () {
          const current = yield* findActivation(kind, subscriptionId, id)
          if (fields.network_id !== undefined && fields.network_id !== null) {
            yield* requireBodyNetwork(subscriptionId, fields.network_id)
          }
          const updated: StoredActivation = {
            ...current,
            name: fields.name ?? current.name,
            network_id: fields.network_id === undefined ? current.network_id : fields.network_id,
            attributes: { ...current.attributes, ...defined(fields.attributes) },
            updated_at: yield* now
          }
          yield* repo.update(updated)
          yield* log.append([yield* event("updated", subscription, updated)])
          return updated
        }))
    })

  const remove = (principal: Principal, kind: ActivationKind, subscriptionId: string, networkScope: string | undefined, id: string) =>
    Effect.gen(function* () {
      yield* get(principal, kind, subscriptionId, networkScope, id)
      yield* change(principal, subscriptionId, `remove its ${LABEL[kind]}s`, (subscription) =>
        Effect.gen(function* () {
          const current = yield* findActivation(kind, subscriptionId, id)
          if (kind === "network") {
            const dependents = yield* repo.countInNetwork(id)
            if (dependents > 0) {
              return yield* new InvalidState({
                message: `network ${id} still has ${dependents} SSID(s) or device(s): delete them first`
              })
            }
          }
          yield* repo.remove(kind, id)
          yield* log.append([yield* event("deleted", subscription, { ...current, updated_at: yield* now })])
        }))
    })

  // The API's use cases --------------------------------------------------------------------------

  const mapPage = <A>(f: (s: StoredActivation) => A) => <R extends { readonly items: ReadonlyArray<StoredActivation> }>(page: R) => ({
    ...page,
    items: page.items.map(f)
  })

  return {
    listNetworks: (p: Principal, subscriptionId: string, page: PageRequest) =>
      Effect.map(list(p, "network", subscriptionId, undefined, page), mapPage(toNetwork)),
    getNetwork: (p: Principal, subscriptionId: string, id: string) =>
      Effect.map(get(p, "network", subscriptionId, undefined, id), toNetwork),
    createNetwork: (p: Principal, subscriptionId: string, body: CreateNetwork) =>
      Effect.map(
        create(p, "network", subscriptionId, {
          name: body.name,
          network_id: null,
          attributes: { type: body.type ?? null, configuration: body.configuration ?? {} }
        }),
        toNetwork
      ),
    updateNetwork: (p: Principal, subscriptionId: string, id: string, body: UpdateNetwork) =>
      Effect.map(
        update(p, "network", subscriptionId, undefined, id, {
          name: body.name,
          attributes: { type: body.type, configuration: body.configuration }
        }),
        toNetwork
      ),
    deleteNetwork: (p: Principal, subscriptionId: string, id: string) => remove(p, "network", subscriptionId, undefined, id),

    listSsids: (p: Principal, subscriptionId: string, page: PageRequest) =>
      Effect.map(list(p, "ssid", subscriptionId, undefined, page), mapPage(toSsid)),
    getSsid: (p: Principal, subscriptionId: string, id: string) =>
      Effect.map(get(p, "ssid", subscriptionId, undefined, id), toSsid),
    createSsid: (p: Principal, subscriptionId: string, body: CreateSsid) =>
      Effect.map(
        create(p, "ssid", subscriptionId, {
          name: body.name,
          network_id: body.network_id ?? null,
          attributes: { security: body.security ?? "wpa2", hidden: body.hidden ?? false }
        }),
        toSsid
      ),
    updateSsid: (p: Principal, subscriptionId: string, id: string, body: UpdateSsid) =>
      Effect.map(
        update(p, "ssid", subscriptionId, undefined, id, {
          name: body.name,
          network_id: body.network_id,
          attributes: { security: body.security, hidden: body.hidden }
        }),
        toSsid
      ),
    deleteSsid: (p: Principal, subscriptionId: string, id: string) => remove(p, "ssid", subscriptionId, undefined, id),

    listDevices: (p: Principal, subscriptionId: string, networkId: string, page: PageRequest) =>
      Effect.map(list(p, "device", subscriptionId, networkId, page), mapPage(toDevice)),
    getDevice: (p: Principal, subscriptionId: string, networkId: string, id: string) =>
      Effect.map(get(p, "device", subscriptionId, networkId, id), toDevice),
    createDevice: (p: Principal, subscriptionId: string, networkId: string, body: CreateDevice) =>
      Effect.gen(function* () {
        // The network is checked in scope first, so a missing one is 404 before any write check.
        yield* findSubscription(p, subscriptionId)
        yield* requireNetwork(subscriptionId, networkId)
        return toDevice(yield* create(p, "device", subscriptionId, {
          name: body.name,
          network_id: networkId,
          attributes: { serial: body.serial ?? null, mac: body.mac ?? null, model: body.model ?? null }
        }))
      }),
    updateDevice: (p: Principal, subscriptionId: string, networkId: string, id: string, body: UpdateDevice) =>
      Effect.map(
        update(p, "device", subscriptionId, networkId, id, {
          name: body.name,
          attributes: { serial: body.serial, mac: body.mac, model: body.model }
        }),
        toDevice
      ),
    deleteDevice: (p: Principal, subscriptionId: string, networkId: string, id: string) =>
      remove(p, "device", subscriptionId, networkId, id)
  } as const
})

export class Activations extends Context.Tag("@provisio/core/Activations")<
  Activations,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(Activations, make)
}
