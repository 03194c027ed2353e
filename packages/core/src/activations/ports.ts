import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { ActivationKind, StoredActivation } from "./model.js"

export class ActivationRepo extends Context.Tag("@provisio/core/ActivationRepo")<ActivationRepo, {
  readonly insert: (stored: StoredActivation) => Effect.Effect<void, PersistenceError>
  /** Writes the name, the network, the attributes and `updated_at`. */
  readonly update: (stored: StoredActivation) => Effect.Effect<void, PersistenceError>
  readonly remove: (kind: ActivationKind, id: string) => Effect.Effect<void, PersistenceError>
  /** The activation of this kind, id and subscription. */
  readonly find: (
    kind: ActivationKind,
    subscriptionId: string,
    id: string
  ) => Effect.Effect<Option.Option<StoredActivation>, PersistenceError>
  /** The subscription's activations of this kind (in `networkId` when given), by id. */
  readonly list: (
    kind: ActivationKind,
    subscriptionId: string,
    networkId: string | undefined,
    page: PageRequest
  ) => Effect.Effect<Page<StoredActivation>, PersistenceError>
  /** How many SSIDs and devices name this network. */
  readonly countInNetwork: (networkId: string) => Effect.Effect<number, PersistenceError>
}>() {}
