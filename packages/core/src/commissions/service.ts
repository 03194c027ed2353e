import * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { PlanRepo, ProductRepo } from "../catalog/ports.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { Account, Principal } from "../identity/model.js"
import { canReach, requireAdmin, requireKind } from "../identity/policy.js"
import { AccountRepo } from "../identity/ports.js"
import { Forbidden, NotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { money, roundToMinorUnit } from "../shared/money.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import {
  AccountCommission,
  CommissionByRule,
  CommissionRule,
  type CommissionRuleFilter,
  type CommissionRuleId,
  CommissionSummary,
  type CommissionSummaryQuery,
  type CreateCommissionRule,
  type StoredCommissionRule
} from "./model.js"
import { CommissionRuleRepo } from "./ports.js"
import { now } from "../shared/time.js"

const encodeRule = Schema.encode(CommissionRule)

const HUNDRED = BigDecimal.fromBigInt(100n)
const MAX_PERCENTAGE_DECIMALS = 4

/** Commissions are the channel's business: customers have no say in them and no view of them. */
const CHANNEL = ["platform", "distributor", "partner"] as const

export const make = Effect.gen(function* () {
  const repo = yield* CommissionRuleRepo
  const accounts = yield* AccountRepo
  const products = yield* ProductRepo
  const plans = yield* PlanRepo
  const log = yield* EventLog
  const transactor = yield* Transactor

  /** A distributor or partner (of `kinds`) the caller reaches; anything else reads as missing, naming `field`. */
  const findAccount = (
    principal: Principal,
    id: string,
    field: string,
    kinds: ReadonlyArray<Account["kind"]> = ["distributor", "partner"]
  ) =>
    accounts.findById(id).pipe(
      Effect.flatMap((found) =>
        Option.isSome(found) && kinds.includes(found.value.kind) && canReach(principal, found.value.lineage)
          ? Effect.succeed(found.value)
          : Effect.fail(new NotFound({ field, message: `${kinds.join(" or ")} ${id} not found` }))
      )
    )

  const validatePercentage = (percentage: BigDecimal.BigDecimal) => {
    const normalized = BigDecimal.normalize(percentage)
    if (!BigDecimal.isPositive(normalized) || BigDecimal.greaterThan(normalized, HUNDRED)) {
      return Effect.fail(ValidationError.of("percentage", "must be more than 0 and at most 100"))
    }
    if (normalized.scale > MAX_PERCENTAGE_DECIMALS) {
      return Effect.fail(ValidationError.of("percentage", `must have at most ${MAX_PERCENTAGE_DECIMALS} decimals`))
    }
    return Effect.succeed(normalized)
  }

  /** The product and plan a rule narrows to must exist, and the plan be of the product. */
  const validateTarget = (productId: string | null, planId: string | null) =>
    Effect.gen(function* () {
      if (productId !== null && Option.isNone(yield* products.findById(productId))) {
        return yield* ValidationError.of("product_id", `product ${productId} does not exist`)
      }
      if (planId === null) return
      const plan = yield* plans.findLatest(planId)
      if (Option.isNone(plan)) return yield* ValidationError.of("plan_id", `plan ${planId} does not exist`)
      if (productId !== null && plan.value.product_id !== productId) {
        return yield* ValidationError.of("plan_id", `plan ${planId} is not a plan of product ${productId}`)
      }
    })

  const createRule = (principal: Principal, input: CreateCommissionRule) =>
    Effect.gen(function* () {
      yield* requireKind(principal, CHANNEL, "set commissions")
      // An id in the body that names nothing the caller reaches is a field to fix (422), as a
      // customer_id, partner_id or product_id is everywhere else, not a missing resource (404).
      const account = yield* findAccount(principal, input.account_id, "account_id").pipe(
        Effect.catchTag("NotFound", () =>
          ValidationError.of("account_id", `distributor or partner ${input.account_id} does not exist`))
      )
      // Commissions are set from above: a distributor's by the platform, a partner's by the platform or its distributor.
      if (account.id === principal.account_id) {
        return yield* new Forbidden({ message: "an account may not set its own commission; its parent's admin does" })
      }
      yield* requireAdmin(principal)
      const percentage = yield* validatePercentage(input.percentage)
      const effectiveTo = input.effective_to ?? null
      // YYYY-MM-DD strings compare as the dates they write.
      if (effectiveTo !== null && effectiveTo <= input.effective_from) {
        return yield* ValidationError.of("effective_to", "must be after effective_from (it is the first day without the rule)")
      }
      const productId = input.product_id ?? null
      const planId = input.plan_id ?? null
      yield* validateTarget(productId, planId)
      const at = yield* now
      const stored: StoredCommissionRule = {
        rule: new CommissionRule({
          id: (yield* makeId("cmr")) as CommissionRuleId,
          account_id: account.id,
          percentage,
          product_id: productId,
          plan_id: planId,
          effective_from: input.effective_from,
          effective_to: effectiveTo,
          created_at: at,
          updated_at: at
        }),
        lineage: account.lineage
      }
      const encoded = yield* Effect.orDie(encodeRule(stored.rule))
      yield* transactor.withTransaction(Effect.gen(function* () {
        yield* repo.insert(stored)
        yield* log.append([
          yield* newEvent("commission_rule.created", { customer_id: null, lineage: stored.lineage }, { commission_rule: encoded })
        ])
      }))
      return stored.rule
    })

  /** The rules of the caller's own account and of every account below it. */
  const listRules = (principal: Principal, filter: CommissionRuleFilter, page: PageRequest) =>
    Effect.gen(function* () {
      yield* requireKind(principal, CHANNEL, "read commissions")
      if (filter.account_id !== undefined) yield* findAccount(principal, filter.account_id, "account_id")
      return yield* repo.list(principal.account_id, filter, page)
    })

  const getRule = (principal: Principal, id: string) =>
    Effect.gen(function* () {
      yield* requireKind(principal, CHANNEL, "read commissions")
      const found = yield* repo.findById(id)
      if (Option.isNone(found) || !canReach(principal, found.value.lineage)) {
        return yield* NotFound.of("commission rule", id)
      }
      return found.value.rule
    })

  /**
   * The month's commission of each distributor and partner of the caller's scope (or of the one
   * asked for), per currency. The store sums; here each account's exact commission is rounded,
   * once.
   */
  const summary = (principal: Principal, query: CommissionSummaryQuery) =>
    Effect.gen(function* () {
      yield* requireKind(principal, CHANNEL, "read commissions")
      if (query.partner_id !== undefined && query.distributor_id !== undefined) {
        return yield* ValidationError.of("distributor_id", "give partner_id or distributor_id, not both")
      }
      if (query.partner_id !== undefined) yield* findAccount(principal, query.partner_id, "partner_id", ["partner"])
      if (query.distributor_id !== undefined) {
        yield* findAccount(principal, query.distributor_id, "distributor_id", ["distributor"])
      }
      const revenue = yield* repo.revenue({
        period: query.period,
        within: principal.account_id,
        account_id: query.partner_id ?? query.distributor_id
      })
      const accountsAnswered = revenue.accounts.map((row) =>
        new AccountCommission({
          account_id: row.account_id,
          account_kind: row.account_kind,
          name: row.name,
          currency: row.currency,
          net_revenue: money(roundToMinorUnit(row.net_revenue, row.currency), row.currency),
          commission: money(roundToMinorUnit(row.commission_exact, row.currency), row.currency),
          invoices: row.invoice_ids.length,
          invoice_ids: row.invoice_ids,
          by_rule: revenue.rules
            .filter((rule) => rule.account_id === row.account_id && rule.currency === row.currency)
            .map((rule) =>
              new CommissionByRule({
                rule_id: rule.rule_id,
                percentage: rule.percentage,
                net_revenue: money(roundToMinorUnit(rule.net_revenue, rule.currency), rule.currency),
                commission_exact: BigDecimal.normalize(rule.commission_exact)
              })
            )
        })
      )
      return new CommissionSummary({ period: query.period, accounts: accountsAnswered })
    })

  return { createRule, listRules, getRule, summary } as const
})

export class Commissions extends Context.Tag("@provisio/core/Commissions")<
  Commissions,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(Commissions, make)
}
