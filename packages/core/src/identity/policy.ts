import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { AccountSuspended, EditionForbidden, Forbidden, type NotFound, orNotFound } from "../shared/errors.js"
import type { AccountKind, AccountScope, Principal } from "./model.js"

/** A caller reaches its own account and every account or customer below it. */
export const canReach = (principal: Principal, lineage: ReadonlyArray<string>): boolean =>
  lineage.includes(principal.account_id)

/**
 * What `found` found when the caller reaches it (`lineageOf` of it holds the caller's account);
 * missing or outside the caller's scope alike is `NotFound`, so existence never leaks:
 * `customers.findById(id).pipe(reachableBy(principal, "customer", id))`.
 */
export const reachableBy = (principal: Principal, resource: string, id: string) =>
<A extends { readonly lineage: ReadonlyArray<string> }, E, R>(
  found: Effect.Effect<Option.Option<A>, E, R>
): Effect.Effect<A, E | NotFound, R> =>
  orNotFound(resource, id)(Effect.map(found, Option.filter((value) => canReach(principal, value.lineage))))

/** Viewers read; managers and admins change business data. */
export const requireWrite = (principal: Principal) =>
  principal.role === "viewer"
    ? Effect.fail(new Forbidden({ message: "a viewer may only read" }))
    : Effect.void

/** Accounts and credentials are managed by admins only. */
export const requireAdmin = (principal: Principal) =>
  principal.role === "admin"
    ? Effect.void
    : Effect.fail(new Forbidden({ message: `this needs the admin role; the caller is ${principal.role}` }))

export const requireKind = (principal: Principal, kinds: ReadonlyArray<AccountKind>, action: string) =>
  kinds.includes(principal.account_kind)
    ? Effect.void
    : Effect.fail(new Forbidden({ message: `a ${principal.account_kind} account may not ${action}` }))

/**
 * Ordering, cancelling and changing quantities need a standard edition; a free partner and its
 * customers may only read subscriptions and orders.
 */
export const requireStandardEdition = (principal: Principal, action: string) =>
  principal.edition === "free"
    ? Effect.fail(new EditionForbidden({ message: `the free edition may not ${action}; upgrade the partner to standard` }))
    : Effect.void

/** A change to what a customer has (orders, subscriptions): a writer's role, then a standard edition. */
export const requireStandardWriter = (principal: Principal, action: string) =>
  Effect.zipRight(requireWrite(principal), requireStandardEdition(principal, action))

/**
 * A suspended account's own users and keys, and those of every account and customer below it,
 * are refused: a suspension cuts the channel below it off until an admin above resumes it.
 */
export const requireNotSuspended = (scope: Pick<AccountScope, "id" | "suspended_by">) =>
  scope.suspended_by === null
    ? Effect.void
    : Effect.fail(new AccountSuspended({
      message: scope.suspended_by === scope.id
        ? "this account is suspended; an admin of the account above it can resume it"
        : "an account above this one is suspended, and with it everything below it; an admin above it can resume it"
    }))
