import { describe, expect, it } from "@effect/vitest"
import { MailSenderLive } from "@provisio/adapters/email/smtp"
import { MailSender } from "@provisio/core/notifications/ports"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"

/** The mail sender a start would build from these variables. */
const senderWith = (variables: Record<string, string>) =>
  Effect.exit(Effect.scoped(Layer.build(MailSenderLive).pipe(
    Effect.map((context) => Context.get(context, MailSender).enabled),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))
  )))

describe("PROVISIO_SMTP_URL", () => {
  it.effect("unset or empty: no email; an smtp:// or smtps:// URL: email", () =>
    Effect.gen(function* () {
      expect(yield* senderWith({})).toEqual(Exit.succeed(false))
      expect(yield* senderWith({ PROVISIO_SMTP_URL: " " })).toEqual(Exit.succeed(false))
      for (const url of ["smtp://127.0.0.1:2525", "smtps://user:secret@mail.example.com:465"]) {
        expect(yield* senderWith({ PROVISIO_SMTP_URL: url }), url).toEqual(Exit.succeed(true))
      }
    }))

  it.effect("anything else stops the start with a message naming the variable, never its value", () =>
    Effect.gen(function* () {
      for (const url of ["http://example.com", "::garbage url%%", "mail.example.com:587", "smtp//user:secret@host"]) {
        const made = yield* senderWith({ PROVISIO_SMTP_URL: url })
        expect(Exit.isFailure(made), url).toBe(true)
        if (Exit.isFailure(made)) {
          const message = Cause.pretty(made.cause)
          expect(message).toContain("PROVISIO_SMTP_URL must be an smtp:// or smtps:// URL")
          expect(message).not.toContain("secret")
        }
      }
    }))
})
