import { describe, expect, it } from "@effect/vitest"
import { makeAccessTokens } from "@provisio/adapters/crypto/access-tokens"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TestClock from "effect/TestClock"

const key = new TextEncoder().encode("a test key of at least thirty-two characters")
const claims = { user_id: "usr_1", account_id: "acc_1", role: "manager" } as const

describe("AccessTokens (jose, HS256)", () => {
  const tokens = makeAccessTokens(key, Duration.minutes(15))

  it.effect("issues a token that verifies to its claims, expiring after the TTL on Clock's time", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-11-23T10:00:00Z"))
      const issued = yield* tokens.issue(claims)
      expect(DateTime.formatIso(issued.expires_at)).toBe("2026-11-23T10:15:00.000Z")
      expect(yield* tokens.verify(issued.token)).toEqual(claims)
      yield* TestClock.adjust("15 minutes")
      const expired = yield* Effect.exit(tokens.verify(issued.token))
      expect(expired).toMatchObject({ _tag: "Failure" })
      expect(Exit.isFailure(expired) && JSON.stringify(expired.cause)).toContain("the access token has expired")
    }))

  it.effect("a token signed with another key is not valid", () =>
    Effect.gen(function* () {
      const other = makeAccessTokens(new TextEncoder().encode("another key, also thirty-two characters or more"), Duration.minutes(15))
      const issued = yield* other.issue(claims)
      const exit = yield* Effect.exit(tokens.verify(issued.token))
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("the access token is not valid")
    }))
})
