import { PasswordHasher } from "@provisio/core/users/ports"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"

/** scrypt's cost: N (CPU and memory, a power of two), r (block size), p (parallelism). */
export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
}

/** 32 MiB and some 50-100 ms a hash on a server core: memory-hard enough to make guessing dear. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 }

const SALT_BYTES = 16
const KEY_BYTES = 32
// Bounds on parameters read back from a stored hash, so a corrupt one cannot exhaust memory.
const MAX_N = 2 ** 20
const MAX_R = 32
const MAX_P = 16

const derive = (password: string, salt: Buffer, params: ScryptParams, keyLength: number) =>
  Effect.async<Buffer>((resume) => {
    // scrypt needs 128 * N * r bytes; node refuses more than maxmem (32 MiB by default).
    const maxmem = 256 * params.N * params.r
    crypto.scrypt(password, salt, keyLength, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => {
      resume(error ? Effect.die(error) : Effect.succeed(key))
    })
  })

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url: the one string a user row keeps. */
const parse = (stored: string) => {
  const parts = stored.split("$")
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
  if (!isPowerOfTwo(N) || N > MAX_N || !Number.isInteger(r) || r < 1 || r > MAX_R || !Number.isInteger(p) || p < 1 || p > MAX_P) {
    return undefined
  }
  const salt = Buffer.from(parts[4]!, "base64url")
  const hash = Buffer.from(parts[5]!, "base64url")
  if (salt.length === 0 || hash.length < 16) return undefined
  return { params: { N, r, p }, salt, hash }
}

/** Passwords hashed with Node's built-in scrypt, compared in constant time. */
export const makePasswordHasher = (params: ScryptParams = DEFAULT_SCRYPT_PARAMS) =>
  PasswordHasher.of({
    hash: (password) =>
      Effect.gen(function* () {
        const salt = crypto.randomBytes(SALT_BYTES)
        const hash = yield* derive(Redacted.value(password), salt, params, KEY_BYTES)
        return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`
      }),
    verify: (password, stored) =>
      Effect.gen(function* () {
        const parsed = parse(stored)
        if (parsed === undefined) return false
        const candidate = yield* derive(Redacted.value(password), parsed.salt, parsed.params, parsed.hash.length)
        return crypto.timingSafeEqual(candidate, parsed.hash)
      })
  })

/**
 * `PROVISIO_PASSWORD_HASH_COST`: log2 of scrypt's N for new hashes, 10 to 20 (default 15). A
 * stored hash keeps its own parameters, so changing it never locks anyone out. The test suite
 * sets 10: its thousands of sign-ins measure behaviour, not the hash's cost (passwords.test.ts
 * checks the default's).
 */
const hashCost = Config.integer("PROVISIO_PASSWORD_HASH_COST").pipe(
  Config.validate({ message: "must be a whole number from 10 to 20", validation: (n) => n >= 10 && n <= 20 }),
  Config.withDefault(Math.log2(DEFAULT_SCRYPT_PARAMS.N))
)

export const PasswordHasherLive = Layer.effect(
  PasswordHasher,
  Effect.map(hashCost, (cost) => makePasswordHasher({ ...DEFAULT_SCRYPT_PARAMS, N: 2 ** cost }))
)
