import * as Schema from "effect/Schema"
import { excerpt } from "./text.js"

/**
 * Free-form data callers keep on a record (metadata, custom fields, characteristics, device
 * configuration), bounded the way Stripe bounds metadata: without limits one careless client
 * stores megabytes that every later read of the record carries.
 */
export interface FreeFormLimits {
  readonly maxKeys: number
  readonly maxKeyLength: number
  /** A string value's length, or the length of any other value's JSON text. */
  readonly maxValueLength: number
}

export const FREE_FORM_LIMITS: FreeFormLimits = { maxKeys: 50, maxKeyLength: 40, maxValueLength: 500 }

/** Configuration a provider needs on a network, SSID or device: certificates and keys run longer. */
export const CONFIGURATION_LIMITS: FreeFormLimits = { maxKeys: 50, maxKeyLength: 40, maxValueLength: 4000 }

const valueLength = (value: unknown): number => {
  if (typeof value === "string") return value.length
  try {
    return JSON.stringify(value)?.length ?? 0
  } catch {
    // A value with no JSON text (a cycle, a bigint) cannot be stored at all.
    return Infinity
  }
}

/**
 * An object of at most `maxKeys` keys of 1 to `maxKeyLength` characters, each value within
 * `maxValueLength`. `field`: the name its key count and keys are refused under when the object is
 * a whole request body (`custom_fields` for PUT /subscriptions/{id}/customfields), as they are
 * under its property's name (`metadata`) when it is a field of one.
 */
export const FreeForm = <A, I>(value: Schema.Schema<A, I>, limits: FreeFormLimits = FREE_FORM_LIMITS, field?: string) => {
  const { maxKeyLength, maxKeys, maxValueLength } = limits
  const valueMessage = `must be at most ${maxValueLength} characters (a value other than a string: its JSON text)`
  return Schema.Record({
    key: Schema.String,
    value: value.pipe(
      Schema.filter((v) => valueLength(v) <= maxValueLength, {
        message: () => valueMessage,
        jsonSchema: { description: `At most ${maxValueLength} characters (a value other than a string: its JSON text).` }
      })
    )
  }).pipe(
    // Checked on the whole object: a record whose key schema refuses a key would drop it silently.
    Schema.filter((record) => {
      const keys = Object.keys(record)
      const refuse = (message: string) => field === undefined ? message : { path: [field], message }
      if (keys.length > maxKeys) return refuse(`must have at most ${maxKeys} keys`)
      const bad = keys.find((key) => key.length === 0 || key.length > maxKeyLength)
      return bad === undefined ? true : refuse(`keys must be 1 to ${maxKeyLength} characters ("${excerpt(bad, maxKeyLength)}")`)
    }, {
      jsonSchema: { maxProperties: maxKeys, propertyNames: { minLength: 1, maxLength: maxKeyLength } }
    })
  )
}
