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
      const issue = (failure as unknown as { readonly issues: ReadonlyArray<DecodeIssue> }).issues[0]
      const field = issue === undefined || issue.path.length === 0 ? undefined : fieldPath(issue.path)
      if (issue !== undefined && isMalformedPathParam(issue.message)) {
        return Effect.fail(new NotFound({ message: `nothing has this ${field ?? "path"}`, field }))
      }
      return Effect.fail(new ValidationError({ message: issue?.message ?? "the request body is not valid", field }))
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
