#!/usr/bin/env node
import { isValidationError } from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { cli } from "./main.js"

/** One readable line for a failure; @effect/cli has already explained its own usage errors. */
const report = (cause: Cause.Cause<unknown>) => {
  if (Cause.isInterruptedOnly(cause)) return Effect.void
  const error = Cause.squash(cause)
  if (isValidationError(error)) return Effect.void
  const field = (error as { readonly field?: string }).field
  const message = error instanceof Error ? error.message : String(error)
  return Console.error(`provisio: ${field === undefined ? "" : `${field} `}${message}`)
}

cli(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  Effect.tapErrorCause(report),
  NodeRuntime.runMain({ disablePrettyLogger: true, disableErrorReporting: true })
)
