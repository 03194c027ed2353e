import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { StoredEvent } from "../events/model.js"
import type { PushRequest } from "../provisioning/push.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { StoredWebhook } from "../webhooks/model.js"
import type { CircuitChange, CircuitPolicy } from "./circuit.js"
import type {
  ClaimedDelivery,
  ClaimRequest,
  DeliveryAttempt,
  DeliveryCounts,
  DeliveryStatus,
  RecordedOutcome,
  StoredDelivery,
  TargetStats
} from "./model.js"

export interface DeliveryFilter {
  readonly status?: DeliveryStatus | undefined
  readonly target?: string | undefined
}

export class DeliveryRepo extends Context.Tag("@provisio/core/DeliveryRepo")<DeliveryRepo, {
  /**
   * At most `limit` undispatched events, oldest first (by `seq`), locked until the transaction
   * ends (`for update skip locked`). Dispatchers take turns (a transaction-level lock): while
   * another one runs this answers none, so deliveries are created in the order of their events.
   * Run it in a transaction.
   */
  readonly claimEvents: (limit: number) => Effect.Effect<ReadonlyArray<StoredEvent>, PersistenceError>
  readonly markDispatched: (eventIds: ReadonlyArray<string>, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** The enabled webhooks owned by one of the accounts of `lineage`. */
  readonly webhooksFor: (lineage: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<StoredWebhook>, PersistenceError>
  /** Inserts in the order given: that order is the order within an ordering key. */
  readonly insert: (deliveries: ReadonlyArray<StoredDelivery>) => Effect.Effect<void, PersistenceError>
  /**
   * Leases due deliveries in one statement: pending or retrying, `next_attempt_at` reached, no
   * live lease, the head of their ordering key, their target's circuit not open; at most `limit`,
   * oldest due first, and per target at most its room (a target whose circuit has opened gets one
   * probe call at a time). Each is leased until `now + timeout + leaseMargin`; rows another worker
   * holds are skipped.
   */
  readonly claimDue: (request: ClaimRequest) => Effect.Effect<ReadonlyArray<ClaimedDelivery>, PersistenceError>
  /**
   * Records a batch of attempts and their outcomes in one statement, each only if its delivery
   * still stands as it was claimed (same attempts, pending or retrying): a delivery replayed or
   * finished by another worker meanwhile is left alone. Answers the ids recorded. Run it in a
   * transaction with the follow-ups of the recorded ones.
   */
  readonly recordOutcomes: (outcomes: ReadonlyArray<RecordedOutcome>) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** Counts each target's failures and opens or closes its circuit (circuit.ts decides how long). */
  readonly updateCircuits: (
    changes: ReadonlyArray<CircuitChange>,
    at: DateTime.Utc,
    policy: CircuitPolicy
  ) => Effect.Effect<void, PersistenceError>
  /** Tells every worker (every process on the database) that deliveries became due: at commit, in a transaction. */
  readonly announce: Effect.Effect<void, PersistenceError>
  /** The engine's figures per target, for the deliveries of the events of `within`'s scope. */
  readonly stats: (within: string, at: DateTime.Utc, windowSeconds: number) => Effect.Effect<ReadonlyArray<TargetStats>, PersistenceError>
  /** Gives up the leases of claimed deliveries not recorded after all (a worker stopping), so any worker may send them now. */
  readonly release: (ids: ReadonlyArray<string>) => Effect.Effect<void, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredDelivery>, PersistenceError>
  /** The delivery, its row held until the transaction ends. */
  readonly lock: (id: string) => Effect.Effect<Option.Option<StoredDelivery>, PersistenceError>
  /** Writes the status, attempts, next attempt, lease, last error and `updated_at`. */
  readonly update: (stored: StoredDelivery) => Effect.Effect<void, PersistenceError>
  readonly attempts: (deliveryId: string) => Effect.Effect<ReadonlyArray<DeliveryAttempt>, PersistenceError>
  /** Deliveries whose event's lineage contains `within`, by id. */
  readonly list: (
    within: string,
    filter: DeliveryFilter,
    page: PageRequest
  ) => Effect.Effect<Page<StoredDelivery>, PersistenceError>
  readonly saveConfiguration: (
    subscriptionId: string,
    configuration: Record<string, unknown>,
    deliveryId: string,
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  readonly configurationOf: (
    subscriptionId: string
  ) => Effect.Effect<Option.Option<{ readonly configuration: Record<string, unknown>; readonly at: DateTime.Utc }>, PersistenceError>
  /** How the provisioning deliveries of a subscription stand, and the latest of them. */
  readonly provisioningOf: (subscriptionId: string) => Effect.Effect<{
    readonly counts: DeliveryCounts
    readonly last: Option.Option<StoredDelivery>
  }, PersistenceError>
}>() {}

export interface SignInput {
  readonly method: PushRequest["method"]
  readonly url: string
  readonly timeout_ms: number
  /** The message id (the event id). */
  readonly id: string
  readonly body: string
  /** Every secret that signs, current first. */
  readonly secrets: ReadonlyArray<string>
}

/** Signs a call the Standard Webhooks way (adapters/push/signer.ts). */
export class DeliverySigner extends Context.Tag("@provisio/core/DeliverySigner")<DeliverySigner, {
  readonly sign: (input: SignInput) => Effect.Effect<PushRequest>
}>() {}
