#!/usr/bin/env node
import { ValidationError as CliValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect } from "effect"
import { cli } from "./main.js"

/** One readable line for a failure; @effect/cli has already explained its own usage errors. */
const report = (cause: Cause.Cause<unknown>) => {
  if (Cause.isInterruptedOnly(cause)) return Effect.void
  const error = Cause.squash(cause)
  if (CliValidationError.isValidationError(error)) return Effect.void
  const field = (error as { readonly field?: string }).field
  const message = error instanceof Error ? error.message : String(error)
  return Console.error(`provisio: ${field === undefined ? "" : `${field} `}${message}`)
}

cli(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  Effect.tapErrorCause(report),
  NodeRuntime.runMain({ disablePrettyLogger: true, disableErrorReporting: true })
)
