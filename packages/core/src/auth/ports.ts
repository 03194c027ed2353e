import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError, Unauthorized } from "../shared/errors.js"
import type { AccessClaims, RefreshToken } from "./model.js"

/** Signed, self-contained access tokens (JWTs) with an expiry; time comes from `Clock`. */
export class AccessTokens extends Context.Tag("@provisio/core/AccessTokens")<AccessTokens, {
  readonly issue: (claims: AccessClaims) => Effect.Effect<{ readonly token: string; readonly expires_at: DateTime.Utc }>
  /** The claims of a token signed by us and not expired; anything else is `Unauthorized`. */
  readonly verify: (token: string) => Effect.Effect<AccessClaims, Unauthorized>
}>() {}

export class RefreshTokenRepo extends Context.Tag("@provisio/core/RefreshTokenRepo")<RefreshTokenRepo, {
  readonly insert: (token: RefreshToken, tokenHash: string) => Effect.Effect<void, PersistenceError>
  /** The token with that hash, locked until the transaction ends (rotation must not race). */
  readonly findByHash: (tokenHash: string) => Effect.Effect<Option.Option<RefreshToken>, PersistenceError>
  readonly markUsed: (id: RefreshToken["id"], at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** Ends every token of the family that is not ended yet. */
  readonly revokeFamily: (familyId: RefreshToken["family_id"], at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** Ends every token of the user (a new password, a disabled user). */
  readonly revokeUser: (userId: RefreshToken["user_id"], at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
}>() {}

/** Failed sign-ins, kept per email (lower case) for throttling. */
export class LoginFailureRepo extends Context.Tag("@provisio/core/LoginFailureRepo")<LoginFailureRepo, {
  /** When the email's sign-ins failed since `since`, the latest first. */
  readonly since: (email: string, since: DateTime.Utc) => Effect.Effect<ReadonlyArray<DateTime.Utc>, PersistenceError>
  /** Records a failure at `at`, forgetting every failure (of any email) before `forgetBefore`. */
  readonly record: (email: string, at: DateTime.Utc, forgetBefore: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  readonly clear: (email: string) => Effect.Effect<void, PersistenceError>
}>() {}
