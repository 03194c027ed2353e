import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { NotFound, ValidationError } from "@provisio/core/shared/errors"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ProvisioApi } from "../api.js"
import { BadRequest, Defect } from "../errors.js"
import { fieldPath } from "../field-path.js"
import { isMalformedPathParam } from "../path-params.js"

interface DecodeIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const EXPECTED = /^Expected (.+), actual (.+)$/s

/** JSON types (and Schema.Int's, Schema.Finite's) as the schema names them, said as the caller reads them. */
const PRIMITIVES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  object: "an object",
  "an integer": "an integer",
  "a finite number": "a finite number"
}

/**
 * What the caller reads for the first issue. A value outside a set of literals fails once per
 * literal (`Expected "fixed", actual "x"`, then `"markup_percent"`...): they are said together,
 * so the message names every value the field takes, not only the first. A body, or a field, that
 * has not the wanted shape at all (`[1]` for an object, `"x"` for a list) is told the shape, not
 * the schema's name (`Expected Struct (Encoded side)`, `Expected Money`).
 */
const messageOf = (issues: ReadonlyArray<DecodeIssue>): string | undefined => {
  const first = issues[0]
  if (first === undefined) return undefined
  const match = EXPECTED.exec(first.message)
  if (match === null) return first.message
  const actual = match[2]!
  if (first.path.length === 0 && actual === "null") return "the request body must be a JSON object; it was empty (or null)"
  if (first.path.length === 0 && !actual.startsWith("{")) return `the request body must be a JSON object, not ${actual}`
  const field = fieldPath(first.path)
  const expected = [...new Set(issues.flatMap((issue) => {
    if (fieldPath(issue.path) !== field) return []
    const other = EXPECTED.exec(issue.message)
    return other !== null && other[2] === actual && other[1] !== "undefined" ? [other[1]!] : []
  }))]
  const [only, ...others] = expected.filter((wanted) => wanted !== "null")
  const orNull = expected.includes("null") ? " or null" : ""
  // A schema's own name means nothing to the caller: say what shape was wanted.
  if (only !== undefined && others.length === 0) {
    if (/^(ReadonlyArray|Array)<|^readonly \[/.test(only)) return `must be an array${orNull}, not ${actual}`
    if (/\(Encoded side\)$|^\{ /.test(only)) return `must be an object${orNull}, not ${actual}`
    if (only === "Money") return `must be money such as {"amount": "12.50", "currency": "EUR"}${orNull}, not ${actual}`
    // Length limits said as a rule, without echoing what may be a long value back.
    if (/^a (non empty string|string at least 1 character\(s\) long)$/.test(only)) {
      return orNull === "" ? "must not be empty" : "must not be empty (null clears it)"
    }
    const longest = /^a string at most (\d+) character\(s\) long$/.exec(only)
    if (longest !== null) return `must be at most ${longest[1]} characters long${orNull}`
    const most = /^an array of at most (\d+) item\(s\)$/.exec(only)
    if (most !== null) return `must hold at most ${most[1]} items${orNull}`
    // A JSON type of the wrong kind ('Expected string, actual 123') is told the type it must be.
    const primitive = PRIMITIVES[only]
    if (primitive !== undefined) return `must be ${primitive}${orNull}, not ${actual}`
  }
  if (expected.length < 2) return first.message
  return `Expected ${expected.slice(0, -1).join(", ")} or ${expected[expected.length - 1]}, actual ${actual}`
}

const isBodyDecodeFailure = (defect: unknown): boolean =>
  typeof defect === "object" && defect !== null &&
  (defect as { _tag?: string })._tag === "RequestError" && (defect as { reason?: string }).reason === "Decode"

/**
 * Failures raised by the HTTP machinery rather than by our handlers, turned into the contract's
 * errors so they get the envelope: a body or query that does not match its schema is 422 naming
 * the field, a malformed path parameter (`PathParam`) is 404 like an id that exists nowhere, a
 * body that is not JSON is 400, an unknown route is 404, a bug is a bare 500.
 */
export const ErrorMappingLive = HttpApiBuilder.middleware(ProvisioApi, (app) =>
  Effect.catchAllCause(app, (cause): Effect.Effect<never, ValidationError | NotFound | BadRequest | Defect> => {
    // The app's error type says `never`, but the router and the decoders fail with these.
    const failure = Option.getOrUndefined(Cause.failureOption(cause)) as { readonly _tag?: string } | undefined
    if (failure?._tag === "HttpApiDecodeError") {
      const issues = (failure as unknown as { readonly issues: ReadonlyArray<DecodeIssue> }).issues
      const issue = issues[0]
      const field = issue === undefined || issue.path.length === 0 ? undefined : fieldPath(issue.path)
      if (issue !== undefined && isMalformedPathParam(issue.message)) {
        return Effect.fail(new NotFound({ message: `nothing has this ${field ?? "path"}`, field }))
      }
      return Effect.fail(new ValidationError({ message: messageOf(issues) ?? "the request body is not valid", field }))
    }
    if (failure?._tag === "RouteNotFound") return Effect.fail(new NotFound({ message: "no such route" }))
    if (failure !== undefined || Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
    const defect = Cause.dieOption(cause)
    if (Option.isSome(defect) && isBodyDecodeFailure(defect.value)) {
      return Effect.fail(new BadRequest({ message: "the request body is not valid JSON" }))
    }
    return Effect.logError("defect", Cause.pretty(cause)).pipe(
      Effect.zipRight(Effect.fail(new Defect({ message: "an internal error occurred" })))
    )
  }))
