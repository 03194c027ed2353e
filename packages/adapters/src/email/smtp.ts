import type { EmailMessage } from "@provisio/core/notifications/model"
import { MailSender, noMail } from "@provisio/core/notifications/ports"
import { type PushOutcome, PushTransportError } from "@provisio/core/provisioning/push"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import nodemailer from "nodemailer"

/**
 * Emails over SMTP with nodemailer: `PROVISIO_SMTP_URL` (`smtp://user:pass@host:587`,
 * `smtps://...` for TLS from the start; nodemailer's URL options apply) and `PROVISIO_SMTP_FROM`
 * (the sender's address; the partner's name is shown with it). Without a URL no email is sent,
 * and none is queued.
 *
 * What the server says becomes the engine's outcome: accepted -> 202 (the SMTP reply kept as the
 * answer's excerpt); a temporary refusal (4xx) -> 503, retried; a permanent one (5xx) -> 400,
 * dead; no connection or no answer in time -> a transport error, retried.
 */

export const DEFAULT_FROM = "billing@provisio.invalid"

interface SmtpFailure {
  readonly responseCode?: number
  readonly response?: string
  readonly code?: string
  readonly message?: string
}

const outcomeOfFailure = (error: SmtpFailure, latency_ms: number): PushOutcome => {
  const code = error.responseCode
  if (code !== undefined && code >= 400 && code < 600) {
    return {
      status: code < 500 ? 503 : 400,
      latency_ms,
      body_excerpt: (error.response ?? error.message ?? "").slice(0, 1024),
      retry_after: null,
      configuration: null
    }
  }
  return new PushTransportError({
    kind: error.code === "ETIMEDOUT" ? "timeout" : "connection",
    message: `${error.code ?? "SMTP"}: ${error.message ?? "no answer"}`,
    latency_ms
  })
}

export const makeSmtpSender = (url: string, from: string) => {
  const transport = nodemailer.createTransport(url)
  const send = (message: EmailMessage, timeoutMillis: number): Effect.Effect<PushOutcome> =>
    Effect.clockWith((clock) => {
      const started = clock.unsafeCurrentTimeMillis()
      const latency = () => clock.unsafeCurrentTimeMillis() - started
      return Effect.async<PushOutcome>((resume) => {
        transport.sendMail({
          from: { name: message.from_name, address: from },
          to: [...message.to],
          ...(message.reply_to === null ? {} : { replyTo: message.reply_to }),
          subject: message.subject,
          text: message.text,
          html: message.html,
          ...(message.attachments === undefined ? {} : {
            attachments: message.attachments.map((a) => ({
              filename: a.filename,
              contentType: a.contentType,
              content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength)
            }))
          }),
          headers: { "Content-Language": message.language, "X-Provisio-Template": message.template }
        }, (error, info) => {
          if (error !== null) resume(Effect.succeed(outcomeOfFailure(error as SmtpFailure, latency())))
          else {
            resume(Effect.succeed({
              status: 202,
              latency_ms: latency(),
              body_excerpt: String(info.response ?? "accepted").slice(0, 1024),
              retry_after: null,
              configuration: null
            }))
          }
        })
      }).pipe(
        Effect.timeoutTo({
          duration: timeoutMillis,
          onSuccess: (outcome) => outcome,
          onTimeout: () => new PushTransportError({ kind: "timeout", message: `no answer within ${timeoutMillis} ms`, latency_ms: latency() })
        })
      )
    })
  return { sender: MailSender.of({ enabled: true, send }), close: () => transport.close() }
}

/** The mail server of the configuration, closed with the layer; no email at all without `PROVISIO_SMTP_URL`. */
export const MailSenderLive: Layer.Layer<MailSender, never> = Layer.scoped(
  MailSender,
  Effect.gen(function* () {
    const url = yield* Config.option(Config.redacted("PROVISIO_SMTP_URL")).pipe(Effect.orElseSucceed(() => Option.none()))
    if (Option.isNone(url) || Redacted.value(url.value).trim() === "") return noMail
    const text = Redacted.value(url.value).trim()
    // nodemailer takes any string and fails later with a message about its own internals.
    if (!URL.canParse(text) || !["smtp:", "smtps:"].includes(new URL(text).protocol)) {
      return yield* Effect.dieMessage(
        "PROVISIO_SMTP_URL must be an smtp:// or smtps:// URL, such as smtp://user:password@mail.example.com:587 " +
          "(its value is not shown: it may hold a password)"
      )
    }
    const from = yield* Config.string("PROVISIO_SMTP_FROM").pipe(Config.withDefault(DEFAULT_FROM), Effect.orElseSucceed(() => DEFAULT_FROM))
    const smtp = yield* Effect.acquireRelease(
      Effect.sync(() => makeSmtpSender(text, from)),
      (made) => Effect.sync(made.close)
    )
    return smtp.sender
  })
)
