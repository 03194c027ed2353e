import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { DunningCandidate } from "./dunning-plan.js"
import type { DunningRules, DunningStage, StoredDunningPolicy } from "./model.js"

export class DunningPolicyRepo extends Context.Tag("@provisio/core/DunningPolicyRepo")<DunningPolicyRepo, {
  /**
   * The nearest policy stored up `lineage` (the account itself first, then its parents); none
   * when no account on it set one (the platform default applies).
   */
  readonly nearest: (lineage: ReadonlyArray<string>) => Effect.Effect<Option.Option<StoredDunningPolicy>, PersistenceError>
  readonly save: (accountId: string, rules: DunningRules, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** The policies stored by any of `accountIds`. */
  readonly among: (accountIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<StoredDunningPolicy>, PersistenceError>
}>() {}

/** Where dunning reads and writes its state; run inside a transaction. */
export class DunningRepo extends Context.Tag("@provisio/core/DunningRepo")<DunningRepo, {
  /**
   * Up to `limit` customers after `after` (by id) that dunning must look at, locked for the
   * transaction (`skip locked`: another scheduler takes the others): those with dunning active
   * that have an overdue invoice not disputed at `at`, or a stage to leave.
   */
  readonly lockCandidates: (
    at: DateTime.Utc,
    after: string | null,
    limit: number,
    /** Only these customers (a payment's); all when absent. */
    only?: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<DunningCandidate>, PersistenceError>
  /** Writes each customer's new stage (and when it was reached). */
  readonly setStages: (
    changes: ReadonlyArray<{ readonly customer_id: string; readonly to: DunningStage | null }>,
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
}>() {}
