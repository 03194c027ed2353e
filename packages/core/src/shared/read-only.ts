import * as Schema from "effect/Schema"
import { ValidationError } from "./errors.js"
import { canonicalJson as canonical } from "./canonical-json.js"

/**
 * Fields a PUT does not change, taken only as they are: a client may send a resource it read back
 * whole, but another value of such a field is 422 naming it and saying where it is changed, never
 * a 200 that changed nothing.
 */

/**
 * The first of `fields` (name -> why it is read-only) that `input` sends with another value than
 * the resource shows (`shown`: the resource as answers encode it, computed only when one is sent).
 */
export const changedReadOnlyField = <F extends Record<string, string>>(
  input: { readonly [K in keyof F]?: unknown },
  fields: F,
  shown: () => Record<string, unknown>
): ValidationError | undefined => {
  const names = Object.keys(fields) as Array<keyof F & string>
  if (names.every((name) => input[name] === undefined)) return undefined
  const current = shown()
  for (const name of names) {
    const sent = input[name]
    if (sent !== undefined && canonical(sent) !== canonical(current[name])) return ValidationError.of(name, fields[name]!)
  }
  return undefined
}

/** A field a PUT does not change, declared on its input so it is compared, not dropped unseen. */
export const readOnlyField = Schema.optional(Schema.Unknown.annotations({ description: "Read-only: may be sent only as it is" }))

/**
 * A field an input does not take but a caller may well send, expecting it to count (a rule's
 * `sku_id`, a billing run's `customer_id`): declared so that sending it is 422 naming it and
 * saying what to do instead, never a 2xx that dropped it unseen.
 */
export const refusedField = (why: string) =>
  Schema.optional(Schema.Never.annotations({ message: () => `is not taken: ${why}`, description: `Not taken (422 if sent): ${why}` }))
