import { SigningSecrets } from "@provisio/core/provisioning/ports"
import { SECRET_PREFIX } from "@provisio/core/provisioning/secrets"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as crypto from "node:crypto"

/** 32 bytes from the operating system's CSPRNG, as `whsec_<standard base64>`. */
export const SigningSecretsLive = Layer.succeed(
  SigningSecrets,
  SigningSecrets.of({
    generate: Effect.sync(() => `${SECRET_PREFIX}${crypto.randomBytes(32).toString("base64")}`)
  })
)
