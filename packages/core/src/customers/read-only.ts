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

/** The fields of a customer's contact, payment method or product location a PUT does not change. */
export const READ_ONLY_CHILD_FIELDS = {
  customer_id: "cannot be changed: it stays with the customer it was created for",
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const

/** The first read-only field `input` sends with another value than `current` (as answers show it). */
export const changedChildField = <A, I>(
  schema: Schema.Schema<A, I>,
  input: { readonly [K in keyof typeof READ_ONLY_CHILD_FIELDS]?: unknown },
  current: A
): ValidationError | undefined =>
  changedField(input, READ_ONLY_CHILD_FIELDS, () => Schema.encodeSync(schema)(current) as unknown as Record<string, unknown>)

/** On creation, a body's customer_id may only repeat the path's customer (else it was dropped unseen). */
export const otherCustomer = (input: { readonly customer_id?: unknown }, customerId: string): ValidationError | undefined =>
  changedField(input, { customer_id: "must be the customer in the path, or left out" }, () => ({ customer_id: customerId }))
