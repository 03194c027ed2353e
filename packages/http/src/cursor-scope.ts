import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { ValidationError } from "@provisio/core/shared/errors"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { createHash } from "node:crypto"

/**
 * A cursor belongs to the list that handed it out. The repositories' cursor (the last id seen) is
 * sealed here with a digest of the list: the request's path, its filters (every query parameter
 * but `cursor` and `limit`, in any order; empty ones left out, as the lists read them as absent)
 * and `X-Tenant-ID`. A cursor passed to another list, or with other filters, or changed, is then
 * refused like a malformed one (422 naming `cursor`) instead of paging from some other place.
 *
 * The digest is not a secret's: it tells a mistake, not an attacker. That is enough, since every
 * list reads only the caller's scope whatever the cursor says.
 *
 * A cursor without a seal (handed out before cursors were sealed) is taken as it was.
 */

const SEAL = "."
const SEAL_LENGTH = 16
const FOREIGN = "is not a cursor of this list: a cursor pages only the list (with the same filters) whose " +
  "meta.page.next_cursor it was; start again without cursor"

const listKey = (request: HttpServerRequest.HttpServerRequest): string => {
  const at = request.url.indexOf("?")
  const path = at === -1 ? request.url : request.url.slice(0, at)
  const filters = at === -1
    ? []
    : [...new URLSearchParams(request.url.slice(at + 1))]
      .filter(([name, value]) => name !== "cursor" && name !== "limit" && value !== "")
      .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
  return JSON.stringify([path, filters, request.headers["x-tenant-id"] ?? ""])
}

const sealOf = (key: string, cursor: string) =>
  createHash("sha256").update(key).update("\n").update(cursor).digest("base64url").slice(0, SEAL_LENGTH)

/**
 * The request being answered, read from the fiber rather than required, so the envelope's
 * encoding (which has no requirements) can read it too; outside a request (none), cursors pass as they are.
 */
const currentRequest = <A, E>(f: (request: HttpServerRequest.HttpServerRequest | undefined) => Effect.Effect<A, E>) =>
  Effect.withFiberRuntime<A, E>((fiber) =>
    f(Option.getOrUndefined(Context.getOption(fiber.currentContext, HttpServerRequest.HttpServerRequest))))

/** A page's `next_cursor` as this request's list hands it out. */
export const sealCursor = (cursor: string | null): Effect.Effect<string | null> =>
  cursor === null
    ? Effect.succeed(null)
    : currentRequest((request) => Effect.succeed(request === undefined ? cursor : `${cursor}${SEAL}${sealOf(listKey(request), cursor)}`))

/** The repositories' cursor inside a `?cursor=`; 422 naming `cursor` when it was sealed for another list or changed. */
export const openCursor = (cursor: string): Effect.Effect<string, ValidationError> => {
  const at = cursor.lastIndexOf(SEAL)
  if (at === -1) return Effect.succeed(cursor)
  const inner = cursor.slice(0, at)
  return currentRequest((request) =>
    request === undefined || cursor.slice(at + 1) === sealOf(listKey(request), inner)
      ? Effect.succeed(inner)
      : Effect.fail(ValidationError.of("cursor", FOREIGN))
  )
}
