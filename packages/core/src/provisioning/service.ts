import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ProductRepo } from "../catalog/ports.js"
import type { Principal } from "../identity/model.js"
import { NotFound, ValidationError } from "../shared/errors.js"
import { Transactor } from "../shared/transactor.js"
import { SecretRotationOverlap } from "./config.js"
import { RESOURCE_KINDS, type ResourceKind } from "./calls.js"
import {
  DEFAULT_ENDPOINTS,
  DEFAULT_TIMEOUT_MS,
  ProvisioningTarget,
  SecretRotation,
  type StoredTarget,
  type UpdateProvisioningTarget
} from "./model.js"
import { ProvisioningTargetRepo, SigningSecrets } from "./ports.js"
import {
  rotateKeys,
  rotationOf,
  secretPrefix,
  settleKeys,
  singleKey
} from "./secrets.js"
import { now } from "../shared/time.js"

/**
 * A target holds the provider's address and the secret it trusts: it is the platform admins'
 * alone, read and written. Anyone else finds no target at all (404) rather than a refusal that
 * tells one exists.
 */
export const requireTargetAdmin = (principal: Principal, productId: string) =>
  principal.account_kind === "platform" && principal.role === "admin"
    ? Effect.void
    : Effect.fail(new NotFound({ message: `product ${productId} has no provisioning target` }))

/** The endpoints in their canonical order, or the first one named twice. */
export const checkEndpoints = (endpoints: ReadonlyArray<ResourceKind>) => {
  const repeated = endpoints.findIndex((kind, i) => endpoints.indexOf(kind) < i)
  return repeated >= 0
    ? Effect.fail(ValidationError.of(`endpoints[${repeated}]`, `repeats an earlier endpoint ("${endpoints[repeated]}")`))
    : Effect.succeed(RESOURCE_KINDS.filter((kind) => endpoints.includes(kind)))
}

/** A target as answers show it; `secret` only when this very request generated it. */
export const toProvisioningTarget = (stored: StoredTarget, now: DateTime.Utc, generated?: string) => {
  const rotation = rotationOf(stored.keys, now)
  return new ProvisioningTarget({
    product_id: stored.product_id,
    base_url: stored.base_url,
    endpoints: stored.endpoints,
    timeout_ms: stored.timeout_ms,
    secret_prefix: secretPrefix(stored.keys.current),
    secret_rotation: rotation === null ? null : new SecretRotation(rotation),
    ...(generated === undefined ? {} : { secret: generated }),
    created_at: stored.created_at,
    updated_at: stored.updated_at
  })
}

export const make = Effect.gen(function* () {
  const targets = yield* ProvisioningTargetRepo
  const products = yield* ProductRepo
  const secrets = yield* SigningSecrets
  const transactor = yield* Transactor
  const overlap = yield* SecretRotationOverlap

  const getTarget = Effect.fn("Provisioning.getTarget")(function* (principal: Principal, productId: string) {
    yield* requireTargetAdmin(principal, productId)
    const stored = yield* targets.find(productId)
    if (Option.isSome(stored)) return toProvisioningTarget(stored.value, yield* now)
    if (Option.isNone(yield* products.findById(productId))) return yield* NotFound.of("product", productId)
    return yield* new NotFound({ message: `product ${productId} has no provisioning target yet: PUT one to set it up` })
  })

  const putTarget = Effect.fn("Provisioning.putTarget")(function* (
    principal: Principal,
    productId: string,
    input: UpdateProvisioningTarget
  ) {
    yield* requireTargetAdmin(principal, productId)
    const endpoints = input.endpoints === undefined ? undefined : yield* checkEndpoints(input.endpoints)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      if (!(yield* targets.lockProduct(productId))) return yield* NotFound.of("product", productId)
      const current = yield* targets.find(productId)
      const at = yield* now
      let generated: string | undefined
      const newSecret = Effect.suspend(() =>
        input.secret !== undefined
          ? Effect.succeed(input.secret)
          : Effect.tap(secrets.generate, (secret) => {
            generated = secret
          })
      )
      let stored: StoredTarget
      if (Option.isNone(current)) {
        if (input.base_url === undefined) {
          return yield* ValidationError.of("base_url", "is required to set up the product's provisioning target")
        }
        stored = {
          product_id: productId as StoredTarget["product_id"],
          base_url: input.base_url,
          endpoints: endpoints ?? DEFAULT_ENDPOINTS,
          timeout_ms: input.timeout_ms ?? DEFAULT_TIMEOUT_MS,
          keys: singleKey(yield* newSecret),
          created_at: at,
          updated_at: at
        }
      } else {
        const target = current.value
        let keys = settleKeys(target.keys, at)
        if (input.rotate_secret === true) keys = rotateKeys(keys, yield* newSecret, at, overlap)
        else if (input.secret !== undefined && input.secret !== keys.current) keys = singleKey(input.secret)
        stored = {
          ...target,
          base_url: input.base_url ?? target.base_url,
          endpoints: endpoints ?? target.endpoints,
          timeout_ms: input.timeout_ms ?? target.timeout_ms,
          keys,
          updated_at: at
        }
      }
      return toProvisioningTarget(yield* targets.save(stored), at, generated)
    }))
  })

  return { getTarget, putTarget } as const
})

export class Provisioning extends Context.Tag("@provisio/core/Provisioning")<
  Provisioning,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(Provisioning, make)
}
