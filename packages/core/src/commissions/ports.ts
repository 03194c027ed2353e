import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { BillingMonth } from "../invoices/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { CommissionRevenue, CommissionRule, CommissionRuleFilter, StoredCommissionRule } from "./model.js"

export interface RevenueQuery {
  readonly period: BillingMonth
  /** The accounts summed: distributors and partners whose lineage contains this id... */
  readonly within: string
  /** ... or only this one. */
  readonly account_id?: string | undefined
}

export class CommissionRuleRepo extends Context.Tag("@provisio/core/CommissionRuleRepo")<CommissionRuleRepo, {
  readonly insert: (stored: StoredCommissionRule) => Effect.Effect<void, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredCommissionRule>, PersistenceError>
  /** Rules whose lineage contains `within`, by id. */
  readonly list: (
    within: string,
    filter: CommissionRuleFilter,
    page: PageRequest
  ) => Effect.Effect<Page<CommissionRule>, PersistenceError>
  /**
   * One aggregate over the lines of the month's finalized and paid invoices below each account,
   * each line under the account's most specific rule in force on the month's first day.
   */
  readonly revenue: (query: RevenueQuery) => Effect.Effect<CommissionRevenue, PersistenceError>
}>() {}
