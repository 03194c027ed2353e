import * as Schema from "effect/Schema"
import { ValidationError } from "../shared/errors.js"
import { Customer } from "./model.js"

/**
 * The customer's fields a PUT does not change, each with why. A client may send them (a customer
 * read and sent back whole), but only as they are: another value is 422 naming the field, never a
 * 200 that changed nothing.
 */
export const READ_ONLY_CUSTOMER_FIELDS = {
  dunning_stage: "is set by dunning from the customer's overdue invoices, not by PUT; \"dunning\": \"paused\" stops dunning",
  partner_id: "cannot be changed: a customer stays under the partner that created it",
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const

/** JSON with its object keys sorted, so that two equal values compare equal as text. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v)

/** The first read-only field `input` sends with another value than the customer's (as answers show it). */
export const changedReadOnlyField = (
  input: { readonly [K in keyof typeof READ_ONLY_CUSTOMER_FIELDS]?: unknown },
  current: Customer
): ValidationError | undefined => {
  const fields = Object.keys(READ_ONLY_CUSTOMER_FIELDS) as Array<keyof typeof READ_ONLY_CUSTOMER_FIELDS>
  if (fields.every((field) => input[field] === undefined)) return undefined
  const shown = Schema.encodeSync(Customer)(current) as unknown as Record<string, unknown>
  for (const field of fields) {
    const sent = input[field]
    if (sent !== undefined && canonical(sent) !== canonical(shown[field])) {
      return ValidationError.of(field, READ_ONLY_CUSTOMER_FIELDS[field])
    }
  }
  return undefined
}
