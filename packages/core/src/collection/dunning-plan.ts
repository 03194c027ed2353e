import { type DunningRules, type DunningStage, STAGE_ORDER, type StoredDunningPolicy } from "./model.js"
import { effectiveRules } from "./policy.js"
import * as Option from "effect/Option"

/**
 * Dunning's decisions, pure: which stage a customer's overdue invoices put it at, and what
 * reaching (or leaving) a stage does to its subscriptions.
 */

/** A customer dunning looks at: its stage now and how late its oldest unpaid invoice is. */
export interface DunningCandidate {
  readonly customer_id: string
  readonly lineage: ReadonlyArray<string>
  readonly stage: DunningStage | null
  /**
   * Days past due of its most overdue invoice that is not disputed, counted in the customer's
   * time zone (0 on the due date itself, once `due_at` has passed); null when nothing is overdue.
   */
  readonly days_past_due: number | null
}

export interface StageChange {
  readonly customer_id: string
  readonly lineage: ReadonlyArray<string>
  readonly from: DunningStage | null
  readonly to: DunningStage | null
  readonly days_past_due: number | null
  readonly notify: boolean
}

const rank = (stage: DunningStage | null) => (stage === null ? -1 : STAGE_ORDER.indexOf(stage))

/**
 * The change a candidate's situation calls for, if any: the latest stage of the policy its days
 * past due have reached, when later than the one it is at (stages only escalate while money is
 * owed); back to none once nothing is overdue.
 */
export const planStage = (candidate: DunningCandidate, rules: DunningRules): StageChange | null => {
  const { customer_id, days_past_due, lineage, stage } = candidate
  if (days_past_due === null) {
    return stage === null ? null : { customer_id, lineage, from: stage, to: null, days_past_due, notify: false }
  }
  let reached: { readonly stage: DunningStage; readonly notify: boolean } | null = null
  for (const rule of rules.stages) {
    if (days_past_due >= rule.days_past_due) reached = rule
  }
  if (reached === null || rank(reached.stage) <= rank(stage)) return null
  return { customer_id, lineage, from: stage, to: reached.stage, days_past_due, notify: reached.notify }
}

/** What a change does to the customer's subscriptions. */
export const subscriptionEffect = (change: StageChange): "suspend" | "terminate" | "resume" | null => {
  if (change.to === "terminate") return "terminate"
  if (change.to === "suspend") return "suspend"
  if (change.to === null && rank(change.from) >= rank("suspend")) return "resume"
  return null
}

/** The rules in force along `lineage`, from the policies stored among its accounts. */
export const rulesFor = (lineage: ReadonlyArray<string>, policies: ReadonlyMap<string, StoredDunningPolicy>): DunningRules => {
  for (let i = lineage.length - 1; i >= 0; i--) {
    const found = policies.get(lineage[i]!)
    if (found !== undefined) return found
  }
  return effectiveRules(Option.none())
}
