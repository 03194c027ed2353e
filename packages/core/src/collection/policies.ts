import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { requireAdmin, requireKind, requireStandardEdition } from "../identity/policy.js"
import { AccountRepo } from "../identity/ports.js"
import { now } from "../shared/time.js"
import { DunningPolicy, type DunningRules, type UpdateDunningPolicy } from "./model.js"
import { effectiveRules } from "./policy.js"
import { DunningPolicyRepo } from "./ports.js"

/** Accounts that issue invoices or sit above those that do: they have a dunning policy. */
const ISSUERS = ["platform", "distributor", "partner"] as const

/**
 * `GET|PUT /dunning-policy`: the caller's account's policy. The effective policy is the account's
 * own, else the nearest one above it (a distributor's applies to its partners), else the
 * platform's default; `source` says which.
 */
export const make = Effect.gen(function* () {
  const repo = yield* DunningPolicyRepo
  const accounts = yield* AccountRepo

  const describe = (principal: Principal, rules: DunningRules, sourceAccountId: string) =>
    Effect.gen(function* () {
      const source = sourceAccountId === principal.account_id
        ? principal.account_kind
        : Option.match(yield* accounts.findById(sourceAccountId), { onNone: () => "platform" as const, onSome: (a) => a.kind })
      return new DunningPolicy({
        retry_days: rules.retry_days,
        stages: rules.stages,
        bill_while_suspended: rules.bill_while_suspended,
        source_account_id: sourceAccountId,
        source: source === "customer" ? "partner" : source
      })
    })

  const getPolicy = Effect.fn("DunningPolicies.getPolicy")(function* (principal: Principal) {
    yield* requireKind(principal, ISSUERS, "have a dunning policy")
    const nearest = yield* repo.nearest(principal.lineage)
    const rules = effectiveRules(nearest)
    const sourceAccountId = Option.match(nearest, {
      onNone: () => principal.lineage[0] ?? principal.account_id,
      onSome: (stored) => stored.account_id
    })
    return yield* describe(principal, rules, sourceAccountId)
  })

  /**
   * Admins of the account; a free-edition partner keeps the policy it inherits. The account's own
   * policy is the one in force with the fields given changed.
   */
  const updatePolicy = Effect.fn("DunningPolicies.updatePolicy")(function* (principal: Principal, input: UpdateDunningPolicy) {
    yield* requireKind(principal, ISSUERS, "have a dunning policy")
    yield* requireAdmin(principal)
    yield* requireStandardEdition(principal, "change its dunning policy")
    // Like every other PUT, a field left out is kept: from the policy in force (own or inherited).
    const current = effectiveRules(yield* repo.nearest(principal.lineage))
    const rules: DunningRules = {
      retry_days: input.retry_days ?? current.retry_days,
      stages: input.stages ?? current.stages,
      bill_while_suspended: input.bill_while_suspended ?? current.bill_while_suspended
    }
    yield* repo.save(principal.account_id, rules, yield* now)
    return yield* describe(principal, rules, principal.account_id)
  })

  return { getPolicy, updatePolicy } as const
})

export class DunningPolicies extends Context.Tag("@provisio/core/DunningPolicies")<
  DunningPolicies,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(DunningPolicies, make)
}
