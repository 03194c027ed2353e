import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { StoredTarget } from "./model.js"
import type { PushRequest, PushResponse, PushTransportError } from "./push.js"

export class ProvisioningTargetRepo extends Context.Tag("@provisio/core/ProvisioningTargetRepo")<ProvisioningTargetRepo, {
  /**
   * Holds the product until the transaction ends, so changes to one product's target (a secret
   * rotation) happen one at a time. Run it in a transaction; answers whether the product exists.
   */
  readonly lockProduct: (productId: string) => Effect.Effect<boolean, PersistenceError>
  readonly find: (productId: string) => Effect.Effect<Option.Option<StoredTarget>, PersistenceError>
  /** Inserts the target or replaces every field of the product's target but `created_at`. */
  readonly save: (target: StoredTarget) => Effect.Effect<StoredTarget, PersistenceError>
}>() {}

/** New signing secrets, `whsec_<base64>` from a cryptographic source. */
export class SigningSecrets extends Context.Tag("@provisio/core/SigningSecrets")<SigningSecrets, {
  readonly generate: Effect.Effect<string>
}>() {}

/**
 * Sends one signed call and reads the answer, whatever its status. Fails only when there is no
 * answer: a time-out (the request's `timeout_ms`) or a connection failure.
 */
export class PushSender extends Context.Tag("@provisio/core/PushSender")<PushSender, {
  readonly send: (request: PushRequest) => Effect.Effect<PushResponse, PushTransportError>
}>() {}
