import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { DunningRules, StoredDunningPolicy } from "./model.js"

export class DunningPolicyRepo extends Context.Tag("@provisio/core/DunningPolicyRepo")<DunningPolicyRepo, {
  /**
   * The nearest policy stored up `lineage` (the account itself first, then its parents); none
   * when no account on it set one (the platform default applies).
   */
  readonly nearest: (lineage: ReadonlyArray<string>) => Effect.Effect<Option.Option<StoredDunningPolicy>, PersistenceError>
  readonly save: (accountId: string, rules: DunningRules, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
}>() {}
