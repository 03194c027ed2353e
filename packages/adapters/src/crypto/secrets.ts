import { Secrets } from "@provisio/core/identity/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as crypto from "node:crypto"

/** Secrets from the operating system's CSPRNG (32 bytes), hashed with SHA-256 for lookup. */
export const SecretsLive = Layer.succeed(
  Secrets,
  Secrets.of({
    generate: (prefix) => Effect.sync(() => `${prefix}_${crypto.randomBytes(32).toString("base64url")}`),
    hash: (secret) => Effect.sync(() => crypto.createHash("sha256").update(secret, "utf8").digest("hex"))
  })
)
