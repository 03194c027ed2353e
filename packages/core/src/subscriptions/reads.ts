import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import type { PageRequest } from "../shared/pagination.js"
import { currentTerm, priceOf } from "./lifecycle.js"
import { Installment, InstallmentPlan } from "./model.js"
import { type SubscriptionFilter } from "./ports.js"
import type { SubscriptionsContext } from "./context.js"

/** Reading subscriptions: lists, one, its characteristics, custom fields and installment plan. */
export const makeReads = ({ subscriptions, plans, findSubscription }: SubscriptionsContext) => {
  const listSubscriptions = Effect.fn("Subscriptions.listSubscriptions")(function* (
    principal: Principal,
    filter: SubscriptionFilter,
    page: PageRequest
  ) {
    const found = yield* subscriptions.list(principal.account_id, filter, page)
    return { ...found, items: found.items.map((stored) => stored.subscription) }
  })

  // Untraced: the hottest read; a span per call is work without a tracer to read it.
  const getSubscription = Effect.fnUntraced(function* (principal: Principal, id: string) {
    return (yield* findSubscription(principal, id)).subscription
  })

  const getCharacteristics = Effect.fn("Subscriptions.getCharacteristics")(function* (principal: Principal, id: string) {
    return (yield* findSubscription(principal, id)).subscription.characteristics
  })

  const getCustomFields = Effect.fn("Subscriptions.getCustomFields")(function* (principal: Principal, id: string) {
    return (yield* findSubscription(principal, id)).subscription.custom_fields
  })

  /**
   * The current term's installments of a committed plan, each at the plan version's price for
   * the subscription's quantity; paid when an invoice that billed it (an `installment` line
   * from its due date until the next's) is paid.
   */
  const getInstallmentPlan = Effect.fn("Subscriptions.getInstallmentPlan")(function* (principal: Principal, id: string) {
    const stored = yield* findSubscription(principal, id)
    const { schedule, subscription } = stored
    const term = currentTerm(schedule)
    if (term === undefined) {
      return new InstallmentPlan({
        subscription_id: subscription.id,
        commitment_months: null,
        term: null,
        term_start: null,
        term_end: null,
        installments: []
      })
    }
    const plan = yield* plans.findVersion(subscription.plan_id, subscription.plan_version).pipe(
      Effect.flatMap(Option.match({
        onNone: () => Effect.dieMessage(`plan ${subscription.plan_id} v${subscription.plan_version} is gone`),
        onSome: Effect.succeed
      }))
    )
    const amount = priceOf(plan.price, subscription.quantity)
    const paid = (yield* subscriptions.paidInstallmentStarts(subscription.id, term.start, term.end)).map(DateTime.toEpochMillis)
    const billedIn = (from: DateTime.Utc, to: DateTime.Utc) =>
      paid.some((start) => start >= DateTime.toEpochMillis(from) && start < DateTime.toEpochMillis(to))
    return new InstallmentPlan({
      subscription_id: subscription.id,
      commitment_months: schedule.commitment_months,
      term: term.term,
      term_start: term.start,
      term_end: term.end,
      installments: term.installments.map((installment, i) =>
        new Installment({
          number: installment.number,
          due: installment.due,
          amount,
          status: billedIn(installment.due, term.installments[i + 1]?.due ?? term.end) ? "paid" : "unpaid"
        })
      )
    })
  })

  return { listSubscriptions, getSubscription, getCharacteristics, getCustomFields, getInstallmentPlan }
}
