import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import {
  AccountSuspended,
  EditionForbidden,
  Forbidden,
  InvalidState,
  NotFound,
  PersistenceError,
  Unauthorized,
  ValidationError
} from "@provisio/core/shared/errors"
import { DuplicateCustomer } from "@provisio/core/customers/errors"
import { DuplicateUser } from "@provisio/core/users/errors"
import { DuplicatePlan, DuplicateProduct, DuplicateSku } from "@provisio/core/catalog/errors"
import { NumberUnavailable } from "@provisio/core/numbers/errors"
import { excerpt, EXCERPT_LENGTH } from "@provisio/core/shared/text"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { IdempotencyInProgress, IdempotencyKeyReused, RateLimited } from "@provisio/core/shared/errors"
import { ErrorBody, errorBody } from "./envelope.js"

/** The errors of the core's family: all carry `message` and an optional `field`. */
type CoreErrorClass<E> = Schema.Schema<E, any, never> & {
  new (props: { readonly message: string; readonly field?: string | undefined }): E
}

/** The longest run of characters without a space an error message keeps, and the longest message. */
const MAX_WORD = EXCERPT_LENGTH
const MAX_MESSAGE = 500
const LONG_WORD = new RegExp(`\\S{${MAX_WORD + 1},}`, "g")

/**
 * An error message as it may go out: every run of non-space characters cut to `EXCERPT_LENGTH`
 * and the whole to 500 characters, so an answer never carries a caller's input back whole (a
 * 20 MB name, an id of a megabyte), whichever rule quoted it.
 */
export const clipMessage = (message: string): string => {
  if (message.length <= MAX_WORD) return message
  // The head is enough to fill a clipped message: a 20 MB one is not scanned whole.
  const words = message.slice(0, 100 * MAX_MESSAGE).replace(LONG_WORD, (word) => excerpt(word, MAX_WORD))
  return excerpt(words, MAX_MESSAGE)
}

/**
 * The wire form of a core error, with its status and code declared here once: encoding writes
 * the envelope (request id included, the message and field clipped), decoding (the typed
 * client) rebuilds the core error.
 */
const wire = <E extends { readonly message: string; readonly field?: string | undefined }, const Code extends string>(
  error: CoreErrorClass<E>,
  status: number,
  code: Code,
  /** What the caller sees instead of the error's own message (for failures that are ours). */
  publicMessage?: string
) =>
  Schema.transformOrFail(ErrorBody(code), Schema.typeSchema(error), {
    strict: true,
    decode: (body) => ParseResult.succeed(new error({ message: body.error.message, field: body.error.field })),
    encode: (e) =>
      errorBody(code, publicMessage ?? clipMessage(e.message), e.field === undefined ? undefined : excerpt(e.field, MAX_WORD))
  }).annotations(HttpApiSchema.annotations({ status }))

/** An HTTP-only failure: the request could not be read (malformed JSON, a query parameter of the wrong type). */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {}

/** The body is larger, or nests deeper, than the route accepts: refused before it is decoded. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {}

/** A bug: the caller sees 500 with no detail, the request log has the cause. */
export class Defect extends Schema.TaggedError<Defect>()("Defect", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {}

export const BadRequestError = wire(BadRequest, 400, "bad_request")
export const UnauthorizedError = wire(Unauthorized, 401, "unauthorized")
export const ForbiddenError = wire(Forbidden, 403, "forbidden")
export const EditionForbiddenError = wire(EditionForbidden, 403, "edition_forbidden")
export const AccountSuspendedError = wire(AccountSuspended, 403, "account_suspended")
export const PayloadTooLargeError = wire(PayloadTooLarge, 413, "payload_too_large")
export const NotFoundError = wire(NotFound, 404, "not_found")
export const InvalidStateError = wire(InvalidState, 409, "invalid_state")
export const DuplicateCustomerError = wire(DuplicateCustomer, 409, "duplicate_customer")
export const DuplicateUserError = wire(DuplicateUser, 409, "duplicate_user")
export const DuplicateProductError = wire(DuplicateProduct, 409, "duplicate_product")
export const DuplicateSkuError = wire(DuplicateSku, 409, "duplicate_sku")
export const DuplicatePlanError = wire(DuplicatePlan, 409, "duplicate_plan")
export const NumberUnavailableError = wire(NumberUnavailable, 409, "number_unavailable")
export const ValidationErrorError = wire(ValidationError, 422, "validation_error")
export const InternalError = wire(PersistenceError, 500, "internal", "an internal error occurred")
export const DefectError = wire(Defect, 500, "internal", "an internal error occurred")
export const IdempotencyKeyReusedError = wire(IdempotencyKeyReused, 422, "idempotency_key_reused")
export const IdempotencyInProgressError = wire(IdempotencyInProgress, 409, "idempotency_in_progress")
export const RateLimitedError = wire(RateLimited, 429, "rate_limited")

