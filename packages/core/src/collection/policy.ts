import * as Option from "effect/Option"
import { DEFAULT_DUNNING_RULES, type DunningRules, type StoredDunningPolicy } from "./model.js"

/** The rules in force for an account: the nearest stored up its lineage, else the platform's default. */
export const effectiveRules = (nearest: Option.Option<StoredDunningPolicy>): DunningRules =>
  Option.getOrElse(nearest, () => DEFAULT_DUNNING_RULES)

const DAY_MILLIS = 86_400_000

/**
 * When a failed automatic charge is tried again: `retry_days[failures - 1]` days after the first
 * failure of the invoice; none once the schedule is used up (dunning by days past due goes on).
 */
export const nextRetryAt = (
  rules: DunningRules,
  firstFailureMillis: number,
  failures: number
): number | null => {
  const days = rules.retry_days[failures - 1]
  return days === undefined ? null : firstFailureMillis + days * DAY_MILLIS
}
