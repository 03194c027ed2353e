import * as Schema from "effect/Schema"
import { prefixedId } from "../shared/ids.js"
import { Money } from "../shared/money.js"
import { Timestamp } from "../shared/time.js"

/**
 * Collection: how a customer pays (`collection_method`, `payment_terms_days`), the charges tried
 * on its invoices (`PaymentAttempt`, `pat_`), and the dunning policy that says what happens when
 * an invoice goes unpaid (retries of failed automatic charges, then stages by days past due).
 */

export const CollectionMethod = Schema.Literal("charge_automatically", "send_invoice")
export type CollectionMethod = typeof CollectionMethod.Type

export const DunningState = Schema.Literal("active", "paused")
export type DunningState = typeof DunningState.Type

export const DunningStage = Schema.Literal("reminder", "warning", "suspend", "terminate")
export type DunningStage = typeof DunningStage.Type

/** Stages in the order they escalate: a customer only ever moves to a later one until it pays. */
export const STAGE_ORDER: ReadonlyArray<DunningStage> = ["reminder", "warning", "suspend", "terminate"]

/** When an issuer's settings say nothing: invoices are due 14 days after finalization. */
export const DEFAULT_PAYMENT_TERMS_DAYS = 14

export const PaymentTermsDays = Schema.Int.pipe(
  Schema.between(0, 365, { message: () => "must be a whole number of days from 0 to 365" })
)

export const PaymentAttemptId = prefixedId("pat", "PaymentAttemptId")
export type PaymentAttemptId = typeof PaymentAttemptId.Type

export const PaymentAttemptStatus = Schema.Literal("pending", "succeeded", "failed")
export type PaymentAttemptStatus = typeof PaymentAttemptStatus.Type

/** One charge tried on an invoice, as `payment_attempts` on the invoice shows it. */
export class PaymentAttempt extends Schema.Class<PaymentAttempt>("PaymentAttempt")({
  id: PaymentAttemptId,
  gateway: Schema.String,
  status: PaymentAttemptStatus,
  /** The gateway's code for a decline (`insufficient_funds`, ...); null unless failed. */
  decline_code: Schema.NullOr(Schema.String),
  amount: Money,
  at: Timestamp
}) {}

// Dunning policy -------------------------------------------------------------------------------

const DaysPastDue = Schema.Int.pipe(
  Schema.between(0, 3650, { message: () => "must be a whole number of days from 0 to 3650" })
)

const RetryDay = Schema.Int.pipe(
  Schema.between(1, 365, { message: () => "must be a whole number of days from 1 to 365" })
)

export class DunningStageRule extends Schema.Class<DunningStageRule>("DunningStageRule")({
  stage: DunningStage,
  days_past_due: DaysPastDue,
  /** Whether the customer's billing contact is emailed when the stage is reached. */
  notify: Schema.optionalWith(Schema.Boolean, { default: () => true })
}) {}

export const PolicySource = Schema.Literal("platform", "distributor", "partner")
export type PolicySource = typeof PolicySource.Type

const stagesInOrder = (stages: ReadonlyArray<DunningStageRule>) => {
  for (let i = 1; i < stages.length; i++) {
    const previous = stages[i - 1]!
    const current = stages[i]!
    if (STAGE_ORDER.indexOf(current.stage) <= STAGE_ORDER.indexOf(previous.stage)) {
      return { path: [i, "stage"], message: "stages are listed once each, in the order reminder, warning, suspend, terminate" }
    }
    if (current.days_past_due < previous.days_past_due) {
      return { path: [i, "days_past_due"], message: "a later stage cannot come fewer days past due than the one before" }
    }
  }
  return true
}

const retryDaysRising = (days: ReadonlyArray<number>) => {
  for (let i = 1; i < days.length; i++) {
    if (days[i]! <= days[i - 1]!) return { path: [i], message: "retry days must rise: each later than the one before" }
  }
  return true
}

export const RetryDays = Schema.Array(RetryDay).pipe(Schema.maxItems(20), Schema.filter(retryDaysRising))
export const DunningStages = Schema.Array(DunningStageRule).pipe(Schema.maxItems(4), Schema.filter(stagesInOrder))

/** The rules an account stores; the effective policy of an account is the nearest one up its lineage. */
export interface DunningRules {
  readonly retry_days: ReadonlyArray<number>
  readonly stages: ReadonlyArray<DunningStageRule>
  readonly bill_while_suspended: boolean
}

/** The platform's default: retry a failed charge 1, 3, 5 and 7 days on; remind at 1, warn at 7, suspend at 14. */
export const DEFAULT_DUNNING_RULES: DunningRules = {
  retry_days: [1, 3, 5, 7],
  stages: [
    new DunningStageRule({ stage: "reminder", days_past_due: 1, notify: true }),
    new DunningStageRule({ stage: "warning", days_past_due: 7, notify: true }),
    new DunningStageRule({ stage: "suspend", days_past_due: 14, notify: true })
  ],
  bill_while_suspended: true
}

export class DunningPolicy extends Schema.Class<DunningPolicy>("DunningPolicy")({
  retry_days: RetryDays,
  stages: DunningStages,
  bill_while_suspended: Schema.Boolean,
  /** The account whose policy this is (the caller's own, or the nearest above it that set one). */
  source_account_id: Schema.String,
  source: PolicySource
}) {}

/** `PUT /dunning-policy`: a field left out keeps what is in force for the account (its own, else the inherited). */
export class UpdateDunningPolicy extends Schema.Class<UpdateDunningPolicy>("UpdateDunningPolicy")({
  retry_days: Schema.optional(RetryDays),
  stages: Schema.optional(DunningStages),
  bill_while_suspended: Schema.optional(Schema.Boolean)
}) {}

/** A stored policy with the account that set it. */
export interface StoredDunningPolicy extends DunningRules {
  readonly account_id: string
}
