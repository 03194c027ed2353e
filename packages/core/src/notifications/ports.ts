import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { PushOutcome } from "../provisioning/push.js"
import type { PersistenceError } from "../shared/errors.js"
import type { EmailMessage, Recipient } from "./model.js"

/**
 * Where emails go out (SMTP in the shipped adapter). Outcomes speak the delivery engine's
 * language: accepted is a 2xx; a temporary refusal (SMTP 4xx) is a 503, retried; a permanent one
 * (SMTP 5xx) a 400, dead; no connection a transport error, retried.
 */
export class MailSender extends Context.Tag("@provisio/core/MailSender")<MailSender, {
  /** False when no mail server is configured: no email deliveries are made at all. */
  readonly enabled: boolean
  readonly send: (message: EmailMessage, timeoutMillis: number) => Effect.Effect<PushOutcome>
}>() {}

export class NotificationDirectory extends Context.Tag("@provisio/core/NotificationDirectory")<NotificationDirectory, {
  /** The recipients of these customers (missing ones are left out), read in one go. */
  readonly recipients: (customerIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, Recipient>, PersistenceError>
}>() {}

/** A mail sender that is not there: what a host without SMTP (and the tests that send none) run. */
export const noMail = MailSender.of({
  enabled: false,
  send: () => Effect.dieMessage("no mail server is configured")
})
