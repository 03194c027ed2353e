import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { BillingMonth } from "../invoices/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type {
  CommissionRevenue,
  CommissionRule,
  CommissionRuleFilter,
  CommissionStatement,
  StatementAmounts,
  StoredCommissionRule,
  StoredCommissionStatement
} from "./model.js"

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

export interface StatementScope {
  readonly period: BillingMonth
  /** Statements of the accounts whose lineage holds this id... */
  readonly within: string
  /** ... or only of this one. */
  readonly account_id?: string | undefined
}

export class CommissionStatementRepo extends Context.Tag("@provisio/core/CommissionStatementRepo")<CommissionStatementRepo, {
  /**
   * Makes the scope's open statements say `amounts`: new ones are written, open ones updated,
   * settled ones left as they were paid; an open one with no amounts any more (its invoices
   * voided) goes.
   */
  readonly refresh: (
    scope: StatementScope,
    amounts: ReadonlyArray<StatementAmounts>,
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  /**
   * A page of the scope's statements: distributors first, then partners, each by name, then
   * currency; `page.after` is the id of the last statement of the page before, the page goes on
   * from where that statement sorts.
   */
  readonly list: (scope: StatementScope, page: PageRequest) => Effect.Effect<Page<CommissionStatement>, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredCommissionStatement>, PersistenceError>
  /** Settles an open statement at `amounts`; false when it was not open (settled meanwhile). */
  readonly settle: (
    id: string,
    amounts: Pick<StatementAmounts, "net_revenue" | "total" | "invoices">,
    at: DateTime.Utc,
    by: string
  ) => Effect.Effect<boolean, PersistenceError>
}>() {}
