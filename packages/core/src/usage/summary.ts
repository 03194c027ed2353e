import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { Principal } from "../identity/model.js"
import { reachableBy } from "../identity/policy.js"
import { ValidationError } from "../shared/errors.js"
import { SubscriptionRepo } from "../subscriptions/ports.js"
import { UsageSummary, type UsageSummaryQuery } from "./model.js"
import { UsageRepo } from "./ports.js"

/** `GET /usage`: a subscription's usage totals per SKU, or per SKU and UTC day, in [from, to). */
export const summary = (caller: Principal, query: UsageSummaryQuery) =>
  Effect.gen(function* () {
    yield* (yield* SubscriptionRepo).findById(query.subscription_id).pipe(
      reachableBy(caller, "subscription", query.subscription_id)
    )
    if (query.from !== undefined && query.to !== undefined && !DateTime.lessThan(query.from, query.to)) {
      return yield* ValidationError.of("to", "must be after from")
    }
    const totals = yield* (yield* UsageRepo).summary(query)
    return new UsageSummary({
      subscription_id: query.subscription_id,
      group_by: query.group_by,
      from: query.from ?? null,
      to: query.to ?? null,
      totals
    })
  })
