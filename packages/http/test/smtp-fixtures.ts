import { type ParsedMail, simpleParser } from "mailparser"
import type { AddressInfo } from "node:net"
import { SMTPServer } from "smtp-server"
import { TestServer, withSettings } from "./harness"
import { NO_RATE_LIMITS } from "./ordering-fixtures"

/**
 * A real SMTP server in the test process (smtp-server), the messages it accepts read back with
 * mailparser. A recipient whose address starts with `busy` is refused for now (451), one that
 * starts with `gone` for good (550).
 */
export interface Inbox {
  /** `smtp://127.0.0.1:<port>`: the test server's PROVISIO_SMTP_URL. */
  readonly url: string
  /** Every message accepted so far, in order. */
  readonly received: () => ReadonlyArray<ParsedMail>
  /** Those addressed to `address`. */
  readonly to: (address: string) => ReadonlyArray<ParsedMail>
  readonly close: () => Promise<void>
}

export const startInbox = async (): Promise<Inbox> => {
  const received: Array<ParsedMail> = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith("busy")) {
        return callback(Object.assign(new Error("mailbox busy, try later"), { responseCode: 451 }))
      }
      if (address.address.startsWith("gone")) {
        return callback(Object.assign(new Error("no such mailbox"), { responseCode: 550 }))
      }
      return callback()
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push(mail)
        callback()
      }, callback)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => [...received],
    to: (address) => received.filter((mail) => JSON.stringify(mail.to ?? "").includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/**
 * The test server sending its emails to `inbox`, rate limits off. One provider with every setting:
 * an inner `withSettings` would hide an outer one.
 */
export const mailServerFor = (inbox: Inbox) =>
  withSettings({ ...NO_RATE_LIMITS, PROVISIO_SMTP_URL: inbox.url, PROVISIO_SMTP_FROM: "billing@acme.example" })(TestServer)
