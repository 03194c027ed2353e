import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js"

/** The delivery engine's retry schedule. The edge sets it (PROVISIO_PUSH_RETRY_SCHEDULE); unset, the default one. */
export class RetryPolicyOption extends Context.Reference<RetryPolicyOption>()("@provisio/core/RetryPolicyOption", {
  defaultValue: (): RetryPolicy => DEFAULT_RETRY_POLICY
}) {}

/**
 * How long the old secret keeps signing after a rotation. The edge sets it
 * (PROVISIO_SECRET_ROTATION_OVERLAP); unset, 24 hours.
 */
export class SecretRotationOverlap extends Context.Reference<SecretRotationOverlap>()(
  "@provisio/core/SecretRotationOverlap",
  { defaultValue: (): Duration.Duration => Duration.hours(24) }
) {}
