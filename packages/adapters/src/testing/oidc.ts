import * as Effect from "effect/Effect"
import * as jose from "jose"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A stand-in OpenID Connect provider for tests: signing keys, ID tokens signed with them, and a
 * JWKS endpoint on the loopback interface. Nothing here is used outside tests.
 */

export type SigningAlgorithm = "RS256" | "ES256"

export interface SigningKey {
  readonly alg: SigningAlgorithm
  readonly kid: string
  readonly privateKey: jose.CryptoKey
  /** The public half as a JWK, with `kid`, `alg` and `use`: what a JWKS publishes. */
  readonly jwk: jose.JWK
}

let keyCounter = 0

/** A fresh key pair for `alg`. */
export const generateSigningKey = (alg: SigningAlgorithm, kid = `${alg.toLowerCase()}-${++keyCounter}`) =>
  Effect.promise(async (): Promise<SigningKey> => {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg)
    const jwk = await jose.exportJWK(publicKey)
    return { alg, kid, privateKey, jwk: { ...jwk, kid, alg, use: "sig" } }
  })

export const jwksOf = (keys: ReadonlyArray<SigningKey>): jose.JSONWebKeySet => ({ keys: keys.map((k) => k.jwk) })

export interface JwksServer {
  /** `http://127.0.0.1:<port>/jwks` */
  readonly url: string
  /** How many times the key set was fetched. */
  readonly fetches: () => number
}

/**
 * Serves `jwks()` at `/jwks` on 127.0.0.1 and a random port, for as long as the scope lasts.
 * `jwks` is read on every request, so a test can rotate keys.
 */
export const serveJwks = (jwks: () => jose.JSONWebKeySet) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: ReturnType<typeof createServer>; readonly info: JwksServer }>((resume) => {
      let fetches = 0
      const server = createServer((request, response) => {
        if (request.url !== "/jwks") {
          response.writeHead(404).end()
          return
        }
        fetches++
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks()))
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, info: { url: `http://127.0.0.1:${port}/jwks`, fetches: () => fetches } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ info }) => info))

export interface IdTokenClaims {
  readonly iss: string
  readonly aud: string
  readonly sub: string
  /** Seconds since the epoch. */
  readonly iat: number
  readonly exp: number
  readonly [claim: string]: unknown
}

/** An ID token signed with `key` (its `kid` in the header unless `kid` is given, `null` for none). */
export const signIdToken = (key: SigningKey, claims: IdTokenClaims, options: { readonly kid?: string | null } = {}) =>
  Effect.promise(() => {
    const kid = options.kid === undefined ? key.kid : options.kid
    return new jose.SignJWT({ ...claims })
      .setProtectedHeader({ alg: key.alg, typ: "JWT", ...(kid === null ? {} : { kid }) })
      .sign(key.privateKey)
  })

/** A token signed with a shared secret (HS256): what a provider's public keys must never accept. */
export const signWithSecret = (claims: IdTokenClaims, secret = "s".repeat(32)) =>
  Effect.promise(() =>
    new jose.SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret))
  )
