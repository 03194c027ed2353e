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

const ANSI_STYLE = /\u001b\[[0-9;]*m/g

/**
 * @effect/cli styles its help and errors with ANSI codes whatever the output: where the stream
 * is not a terminal (a pipe, a file, CI) or NO_COLOR is set, they are taken out.
 */
const plainWhereNoTerminal = (console: Console.Console): Console.Console => {
  const plain = (tty: boolean | undefined) => tty !== true || process.env["NO_COLOR"] !== undefined
  const strip = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" ? arg.replace(ANSI_STYLE, "") : arg))
  return {
    ...console,
    log: (...args) => console.log(...(plain(process.stdout.isTTY) ? strip(args) : args)),
    error: (...args) => console.error(...(plain(process.stderr.isTTY) ? strip(args) : args))
  }
}

Console.consoleWith((console) => Effect.withConsole(cli(process.argv), plainWhereNoTerminal(console))).pipe(
  Effect.provide(NodeContext.layer),
  Effect.tapErrorCause(report),
  NodeRuntime.runMain({ disablePrettyLogger: true, disableErrorReporting: true })
)
