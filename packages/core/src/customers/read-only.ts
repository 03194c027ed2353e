import * as Schema from "effect/Schema"
import type { ValidationError } from "../shared/errors.js"
import { changedReadOnlyField as changedField } from "../shared/read-only.js"
import { Customer } from "./model.js"

/** The customer's fields a PUT does not change, each with why (shared/read-only.ts). */
export const READ_ONLY_CUSTOMER_FIELDS = {
  dunning_stage: "is set by dunning from the customer's overdue invoices, not by PUT; \"dunning\": \"paused\" stops dunning",
  partner_id: "cannot be changed: a customer stays under the partner that created it",
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const

/** The first read-only field `input` sends with another value than the customer's (as answers show it). */
export const changedReadOnlyField = (
  input: { readonly [K in keyof typeof READ_ONLY_CUSTOMER_FIELDS]?: unknown },
  current: Customer
): ValidationError | undefined =>
  changedField(input, READ_ONLY_CUSTOMER_FIELDS, () => Schema.encodeSync(Customer)(current) as unknown as Record<string, unknown>)
