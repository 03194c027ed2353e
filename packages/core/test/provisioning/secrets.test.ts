import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import { activeSecrets, rotateKeys, rotationOf, secretKeyBytes, secretPrefix, settleKeys, singleKey } from "../../src/provisioning/secrets"

const key = (bytes: number, fill = 7) => `whsec_${Buffer.alloc(bytes, fill).toString("base64")}`

describe("signing secrets", () => {
  it("accepts whsec_<base64> with 24 to 64 bytes of key", () => {
    expect(Either.isRight(secretKeyBytes(key(24)))).toBe(true)
    expect(Either.isRight(secretKeyBytes(key(32)))).toBe(true)
    expect(Either.isRight(secretKeyBytes(key(64)))).toBe(true)
    expect(Either.isRight(secretKeyBytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))).toBe(true)
  })

  it("refuses anything else, saying what a secret looks like", () => {
    const url = Buffer.alloc(32, 251).toString("base64url")
    for (const secret of ["", "whsec_", key(16), key(65), `sk_${key(32).slice(6)}`, `whsec_${url}`, `${key(32)}x`, `whsec_ ${key(32).slice(6)}`]) {
      const result = secretKeyBytes(secret)
      expect(Either.isLeft(result), secret).toBe(true)
      if (Either.isLeft(result)) expect(result.left).toContain("whsec_<base64>")
    }
  })

  it("shows a prefix too short to sign with", () => {
    expect(secretPrefix("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toBe("whsec_MfKQ9r")
  })

  it("signs with both secrets during a rotation's overlap, with the new one only after it", () => {
    const t0 = DateTime.unsafeMake("2026-11-23T10:00:00Z")
    const rotated = rotateKeys(singleKey("old"), "new", t0, Duration.hours(24))
    expect(activeSecrets(rotated, t0)).toEqual(["new", "old"])
    expect(activeSecrets(rotated, DateTime.add(t0, { hours: 23, minutes: 59 }))).toEqual(["new", "old"])
    expect(activeSecrets(rotated, DateTime.add(t0, { hours: 24 }))).toEqual(["new"])
    expect(rotationOf(rotated, t0)).toEqual({ previous_secret_prefix: "old", previous_secret_expires_at: DateTime.add(t0, { hours: 24 }) })
    expect(rotationOf(rotated, DateTime.add(t0, { hours: 25 }))).toBeNull()
    expect(settleKeys(rotated, DateTime.add(t0, { hours: 25 }))).toEqual(singleKey("new"))
    expect(settleKeys(rotated, t0)).toEqual(rotated)
    // A second rotation during the overlap: the oldest secret stops signing.
    const again = rotateKeys(rotated, "newer", DateTime.add(t0, { hours: 1 }), Duration.hours(24))
    expect(activeSecrets(again, DateTime.add(t0, { hours: 2 }))).toEqual(["newer", "new"])
    // No overlap: the switch is immediate.
    expect(rotateKeys(singleKey("old"), "new", t0, Duration.zero)).toEqual(singleKey("new"))
  })
})
