import { describe, expect, it } from "@effect/vitest"
import { DEFAULT_SCRYPT_PARAMS, makePasswordHasher, PasswordHasherLive } from "@provisio/adapters/crypto/passwords"
import { PasswordHasher } from "@provisio/core/users/ports"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const secret = (text: string) => Redacted.make(text)

describe("PasswordHasher (scrypt)", () => {
  const hasher = makePasswordHasher()

  it.effect("verifies the password it hashed, and nothing else", () =>
    Effect.gen(function* () {
      const hash = yield* hasher.hash(secret("correct horse battery staple"))
      expect(yield* hasher.verify(secret("correct horse battery staple"), hash)).toBe(true)
      expect(yield* hasher.verify(secret("correct horse battery stapl"), hash)).toBe(false)
      expect(yield* hasher.verify(secret("Correct horse battery staple"), hash)).toBe(false)
      expect(yield* hasher.verify(secret(""), hash)).toBe(false)
    }))

  it.effect("stores algorithm, parameters, salt and hash in one string, never the password", () =>
    Effect.gen(function* () {
      const hash = yield* hasher.hash(secret("correct horse battery staple"))
      const { N, p, r } = DEFAULT_SCRYPT_PARAMS
      expect(hash).toMatch(new RegExp(`^scrypt\\$${N}\\$${r}\\$${p}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`))
      expect(hash).not.toContain("horse")
    }))

  it.effect("two hashes of one password differ (a random salt each)", () =>
    Effect.gen(function* () {
      const first = yield* hasher.hash(secret("same password"))
      const second = yield* hasher.hash(secret("same password"))
      expect(first).not.toBe(second)
      expect(yield* hasher.verify(secret("same password"), first)).toBe(true)
      expect(yield* hasher.verify(secret("same password"), second)).toBe(true)
    }))

  it.effect("reads the parameters from the stored hash, so they can be raised later", () =>
    Effect.gen(function* () {
      const cheap = yield* makePasswordHasher({ N: 1024, r: 8, p: 1 }).hash(secret("older hash"))
      expect(cheap.startsWith("scrypt$1024$8$1$")).toBe(true)
      expect(yield* hasher.verify(secret("older hash"), cheap)).toBe(true)
    }))

  it.effect("a malformed or foreign hash matches nothing", () =>
    Effect.gen(function* () {
      const hash = yield* hasher.hash(secret("pw"))
      const parts = hash.split("$")
      for (const stored of [
        "",
        "plain text",
        hash.replace("scrypt$", "bcrypt$"),
        [...parts.slice(0, 1), "1000", ...parts.slice(2)].join("$"), // N not a power of two
        [...parts.slice(0, 1), String(2 ** 24), ...parts.slice(2)].join("$"), // N beyond the bound
        [...parts.slice(0, 5), "AAAA"].join("$"), // a hash too short
        `${hash}$extra`
      ]) {
        expect(yield* hasher.verify(secret("pw"), stored), stored).toBe(false)
      }
    }))

  it.effect("PROVISIO_PASSWORD_HASH_COST sets N for new hashes (old ones keep theirs); a cost out of 10-20 refuses the start", () =>
    Effect.gen(function* () {
      const withCost = (cost: string) =>
        PasswordHasher.pipe(
          Effect.provide(PasswordHasherLive),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["PROVISIO_PASSWORD_HASH_COST", cost]])))
        )
      const cheap = yield* withCost("11")
      const hash = yield* cheap.hash(secret("pw"))
      expect(hash.startsWith("scrypt$2048$8$1$")).toBe(true)
      expect(yield* hasher.verify(secret("pw"), hash)).toBe(true)
      for (const bad of ["9", "21", "fifteen"]) {
        const refused = yield* Effect.flip(withCost(bad))
        expect(String(refused), bad).toContain("PROVISIO_PASSWORD_HASH_COST")
      }
    }))
})
