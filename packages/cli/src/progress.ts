import { ValidationError } from "@provisio/core/shared/errors"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"

/**
 * How long-running commands (file imports, billing runs) show their progress: on a terminal one
 * line rewritten in place with `\r`; anywhere else plain lines, so logs stay readable.
 */

/** Where a command reports: a terminal gets one line updated in place, anything else plain lines. */
export interface ImportOutput {
  readonly tty: boolean
  /** Writes text as is (no newline added). */
  readonly write: (text: string) => Effect.Effect<void>
}

export const stdoutOutput: ImportOutput = {
  tty: process.stdout.isTTY === true,
  write: (text) => Effect.sync(() => void process.stdout.write(text))
}

export const count = (n: number) => n.toLocaleString("en-US")

/** `m:ss`, or `h:mm:ss` from an hour. */
export const duration = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, "0")
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`
}

/** The file's lines (a last line without a newline counts): the total a progress line shows. */
export const countLines = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      let lines = 0
      let last = 10
      for await (const chunk of fs.createReadStream(path) as AsyncIterable<Buffer>) {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
        if (chunk.length > 0) last = chunk[chunk.length - 1]!
      }
      return lines + (last === 10 ? 0 : 1)
    },
    catch: (error) => new ValidationError({ message: `cannot read ${path}: ${(error as Error).message}` })
  })

/**
 * The progress of an import of `total` items (the total grows if more come): count, percentage,
 * rate and, with `eta`, the time left. Off a terminal, a line every `every` items.
 */
export const progressReporter = (
  output: ImportOutput,
  total: number,
  started: number,
  labels: { readonly items: string; readonly rate: string; readonly eta: boolean },
  every = 50_000
) => {
  let lastPrinted = 0
  const line = (done: number, now: number) => {
    const rate = done / Math.max((now - started) / 1000, 0.001)
    const shown = Math.max(total, done)
    const percent = shown === 0 ? 100 : (100 * done) / shown
    const eta = labels.eta ? `, ETA ${duration(rate > 0 ? (shown - done) / rate : 0)}` : ""
    return `${count(done)} / ${count(shown)} ${labels.items} (${percent.toFixed(1)}%), ` +
      `${count(Math.round(rate))} ${labels.rate}/s${eta}`
  }
  return {
    update: (done: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (output.tty) return output.write(`\r  ${line(done, now).padEnd(78)}`)
        if (done - lastPrinted < every) return Effect.void
        lastPrinted = done
        return output.write(`  ${line(done, now)}\n`)
      }),
    finish: (done: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        output.tty
          ? output.write(`\r  ${line(done, now).padEnd(78)}\n`)
          : done === lastPrinted
          ? Effect.void
          : output.write(`  ${line(done, now)}\n`))
  }
}
