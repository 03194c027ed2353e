import * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { Principal } from "../identity/model.js"
import { canReach, requireAdmin, requireKind } from "../identity/policy.js"
import { AccountRepo } from "../identity/ports.js"
import { Forbidden, InvalidState, NotFound } from "../shared/errors.js"
import { makeIds } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { roundToMinorUnit } from "../shared/money.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { CommissionStatement, type CommissionStatementQuery, type StatementAmounts } from "./model.js"
import { CommissionRuleRepo, CommissionStatementRepo, type StatementScope } from "./ports.js"

/**
 * Commission statements: the summary's commission of each distributor and partner, per month
 * and currency, kept so that finance can mark it paid. A statement is written the first time
 * its month is listed and follows its invoices while open; settling it freezes what was paid.
 *
 * Who settles: the commission is paid by the channel above the payee, so an admin of an account
 * above it (the platform for anyone, a distributor for its partners) settles it; the payee
 * itself never does (403), and an account outside the payee's line never sees it (404).
 */

const CHANNEL = ["platform", "distributor", "partner"] as const

const encodeStatement = Schema.encode(CommissionStatement)

export const make = Effect.gen(function* () {
  const rules = yield* CommissionRuleRepo
  const repo = yield* CommissionStatementRepo
  const accounts = yield* AccountRepo
  const log = yield* EventLog
  const transactor = yield* Transactor

  /** The scope's commission now, per account and currency, rounded once as the summary rounds it. */
  const amountsOf = (scope: StatementScope) =>
    Effect.gen(function* () {
      const revenue = yield* rules.revenue(scope)
      const ids = yield* makeIds("cms", revenue.accounts.length)
      return revenue.accounts.map((row, i): StatementAmounts => ({
        id: ids[i]!,
        account_id: row.account_id,
        currency: row.currency,
        net_revenue: roundToMinorUnit(row.net_revenue, row.currency),
        total: roundToMinorUnit(row.commission_exact, row.currency),
        invoices: row.invoice_ids.length
      }))
    })

  /** A page of the statements of `period` of the caller's distributors and partners (or of `account_id`), written or refreshed first. */
  const list = Effect.fn("CommissionStatements.list")(function* (
    principal: Principal,
    query: CommissionStatementQuery,
    page: PageRequest
  ) {
    yield* requireKind(principal, CHANNEL, "read commission statements")
    if (query.account_id !== undefined) {
      const found = yield* accounts.findById(query.account_id)
      if (
        Option.isNone(found) || !["distributor", "partner"].includes(found.value.kind) ||
        !canReach(principal, found.value.lineage)
      ) {
        return yield* new NotFound({ field: "account_id", message: `distributor or partner ${query.account_id} not found` })
      }
    }
    const scope: StatementScope = { period: query.period, within: principal.account_id, account_id: query.account_id }
    const amounts = yield* amountsOf(scope)
    const at = yield* now
    return yield* transactor.withTransaction(Effect.zipRight(repo.refresh(scope, amounts, at), repo.list(scope, page)))
  })

  /** Marks a statement paid at its commission as of now; a second time is `InvalidState`. */
  const settle = Effect.fn("CommissionStatements.settle")(function* (principal: Principal, id: string) {
    yield* requireKind(principal, CHANNEL, "settle commission statements")
    const found = yield* repo.findById(id)
    if (Option.isNone(found) || !canReach(principal, found.value.lineage)) {
      return yield* NotFound.of("commission statement", id)
    }
    const { statement } = found.value
    if (statement.account_id === principal.account_id) {
      return yield* new Forbidden({ message: "an account may not settle its own commission; an admin of an account above it does" })
    }
    yield* requireAdmin(principal)
    const settledAlready = () =>
      new InvalidState({ message: `commission statement ${id} is already settled` })
    if (statement.status === "settled") return yield* settledAlready()
    const at = yield* now
    const current = (yield* amountsOf({ period: statement.period, within: statement.account_id, account_id: statement.account_id }))
      .find((row) => row.currency === statement.currency)
    const zero = BigDecimal.fromBigInt(0n)
    const amounts = current ?? { net_revenue: zero, total: zero, invoices: 0 }
    const by = principal.user_id ?? principal.api_key_id ?? principal.account_id
    return yield* transactor.withTransaction(Effect.gen(function* () {
      if (!(yield* repo.settle(id, amounts, at, by))) return yield* settledAlready()
      const settled = yield* Effect.flatMap(repo.findById(id), Option.match({
        onNone: () => NotFound.of("commission statement", id),
        onSome: (stored) => Effect.succeed(stored.statement)
      }))
      yield* log.append([
        yield* newEvent("commission_statement.settled", { customer_id: null, lineage: found.value.lineage }, {
          commission_statement: yield* Effect.orDie(encodeStatement(settled))
        })
      ])
      return settled
    }))
  })

  return { list, settle } as const
})

export class CommissionStatements extends Context.Tag("@provisio/core/CommissionStatements")<
  CommissionStatements,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(CommissionStatements, make)
}
