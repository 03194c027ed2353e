import { bestLanguage } from "../shared/languages.js"
import type { EmailMessage, Recipient } from "./model.js"

/**
 * The emails, per event and language: a subject and paragraphs, rendered as text and as HTML in
 * the partner's colours. `en` always exists; another language is used where its template does.
 * Amounts are shown as the API writes them (exact decimals) with their currency.
 */

type Data = Readonly<Record<string, unknown>>

interface Content {
  readonly subject: string
  readonly paragraphs: ReadonlyArray<string>
}

type Template = (data: Data, recipient: Recipient) => Content | null

const record = (value: unknown): Data =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Data) : {}

const text = (value: unknown): string => (typeof value === "string" ? value : value === null || value === undefined ? "" : String(value))

/** `{ amount: "40.00", currency: "EUR" }` as `40.00 EUR`. */
const amountOf = (value: unknown): string => {
  const m = record(value)
  return `${text(m["amount"])} ${text(m["currency"])}`.trim()
}

const invoiceNumber = (invoice: Data) => text(invoice["number"]) || text(invoice["id"])

/** The stages' wording. */
const STAGES: Record<string, Record<string, { readonly subject: string; readonly body: string }>> = {
  en: {
    reminder: { subject: "Payment reminder", body: "This is a friendly reminder that a payment to us is overdue." },
    warning: { subject: "Overdue payment: please pay now", body: "A payment to us is still overdue. Please pay now to avoid an interruption of your services." },
    suspend: { subject: "Your services are suspended", body: "Because a payment to us is overdue, your services have been suspended. They resume as soon as the overdue amount is paid." },
    terminate: { subject: "Your services are terminated", body: "Because a payment to us stayed overdue, your services have been terminated." }
  },
  de: {
    reminder: { subject: "Zahlungserinnerung", body: "Wir möchten Sie freundlich daran erinnern, dass eine Zahlung an uns überfällig ist." },
    warning: { subject: "Überfällige Zahlung: bitte jetzt zahlen", body: "Eine Zahlung an uns ist weiterhin überfällig. Bitte zahlen Sie jetzt, um eine Unterbrechung Ihrer Dienste zu vermeiden." },
    suspend: { subject: "Ihre Dienste sind gesperrt", body: "Da eine Zahlung an uns überfällig ist, wurden Ihre Dienste gesperrt. Sie werden wieder freigeschaltet, sobald der überfällige Betrag bezahlt ist." },
    terminate: { subject: "Ihre Dienste wurden beendet", body: "Da eine Zahlung an uns überfällig blieb, wurden Ihre Dienste beendet." }
  }
}

const stageTemplate = (language: string): Template => (data) => {
  const to = text(data["to"])
  const wording = STAGES[language]?.[to]
  if (wording === undefined || data["notify"] === false) return null
  const days = text(data["days_past_due"])
  return {
    subject: wording.subject,
    paragraphs: [wording.body, language === "de" ? `Tage überfällig: ${days}.` : `Days past due: ${days}.`]
  }
}

const TEMPLATES: Record<string, Record<string, Template>> = {
  en: {
    "invoice.finalized": (data) => {
      const invoice = record(data["invoice"])
      if (text(invoice["status"]) === "paid") return null
      return {
        subject: `Invoice ${invoiceNumber(invoice)}`,
        paragraphs: [
          `Your invoice ${invoiceNumber(invoice)} of ${amountOf(invoice["total"])} has been issued.`,
          `Amount due: ${amountOf(invoice["amount_due"])}, due on ${text(invoice["due_date"])}.`,
          text(invoice["collection_method"]) === "charge_automatically"
            ? "It will be charged to your default payment method."
            : "Please pay it by bank transfer, quoting the invoice number."
        ]
      }
    },
    "payment.succeeded": (data) => {
      const payment = record(data["payment"])
      return {
        subject: "Payment received",
        paragraphs: [`We received your payment of ${amountOf(payment["amount"])}. Thank you.`]
      }
    },
    "payment.failed": (data) => {
      const invoice = record(data["invoice"])
      const next = text(data["next_retry_at"])
      return {
        subject: `Payment of invoice ${invoiceNumber(invoice)} failed`,
        paragraphs: [
          `We could not charge your payment method for invoice ${invoiceNumber(invoice)} (${amountOf(invoice["amount_due"])}).`,
          next === "" ? "Please update your payment method or pay by bank transfer." : `We will try again on ${next.slice(0, 10)}.`
        ]
      }
    },
    "payment.refunded": (data) => {
      const refund = record(data["refund"])
      return { subject: "Refund issued", paragraphs: [`We refunded ${amountOf(refund["amount"])} to you.`] }
    },
    "customer.dunning_stage_changed": stageTemplate("en")
  },
  de: {
    "invoice.finalized": (data) => {
      const invoice = record(data["invoice"])
      if (text(invoice["status"]) === "paid") return null
      return {
        subject: `Rechnung ${invoiceNumber(invoice)}`,
        paragraphs: [
          `Ihre Rechnung ${invoiceNumber(invoice)} über ${amountOf(invoice["total"])} wurde ausgestellt.`,
          `Offener Betrag: ${amountOf(invoice["amount_due"])}, fällig am ${text(invoice["due_date"])}.`
        ]
      }
    },
    "payment.succeeded": (data) => ({
      subject: "Zahlung erhalten",
      paragraphs: [`Wir haben Ihre Zahlung über ${amountOf(record(data["payment"])["amount"])} erhalten. Vielen Dank.`]
    }),
    "customer.dunning_stage_changed": stageTemplate("de")
  }
}

/** Event types that may become an email. */
export const EMAIL_EVENTS: ReadonlySet<string> = new Set(Object.keys(TEMPLATES["en"]!))

const escapeHtml = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const html = (content: Content, recipient: Recipient, language: string) => {
  const color = recipient.brand.primary_color ?? "#1a73e8"
  const logo = recipient.brand.logo_url === null
    ? ""
    : `<img src="${escapeHtml(recipient.brand.logo_url)}" alt="${escapeHtml(recipient.brand.name)}" style="max-height:48px">`
  return [
    `<!doctype html><html lang="${escapeHtml(language)}"><body style="font-family:sans-serif">`,
    `<div style="border-top:4px solid ${escapeHtml(color)};padding:16px">${logo}`,
    `<h1 style="color:${escapeHtml(color)};font-size:20px">${escapeHtml(content.subject)}</h1>`,
    ...content.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p style="color:#666">${escapeHtml(recipient.brand.name)}</p></div></body></html>`
  ].join("")
}

/**
 * The email an event makes for a recipient, in its language where that template exists, else
 * English; null when the event makes none (or the recipient has no address).
 */
export const renderEmail = (eventType: string, data: Data, recipient: Recipient): EmailMessage | null => {
  if (recipient.emails.length === 0) return null
  const language = bestLanguage(recipient.language, (tag) => TEMPLATES[tag]?.[eventType] !== undefined)
  const template = TEMPLATES[language]?.[eventType]
  if (template === undefined) return null
  const content = template(data, recipient)
  if (content === null) return null
  const greeting = language === "de" ? `Guten Tag ${recipient.customer_name},` : `Hello ${recipient.customer_name},`
  const full: Content = { subject: content.subject, paragraphs: [greeting, ...content.paragraphs] }
  return {
    to: recipient.emails,
    from_name: recipient.brand.name,
    reply_to: recipient.brand.support_email,
    subject: `${content.subject} - ${recipient.brand.name}`,
    text: [...full.paragraphs, "", recipient.brand.name].join("\n\n"),
    html: html(full, recipient, language),
    language,
    template: eventType,
    ...attachedDocuments(eventType, data, recipient)
  }
}

/**
 * The invoice email carries the invoice's PDF, and its UBL e-invoice for a customer that asked
 * for e-invoices, by reference: the mail sender renders them when it sends.
 */
const attachedDocuments = (eventType: string, data: Data, recipient: Recipient): Pick<EmailMessage, "documents"> => {
  if (eventType !== "invoice.finalized") return {}
  const id = text(record(data["invoice"])["id"])
  if (id === "") return {}
  return { documents: { invoice_id: id, kinds: recipient.e_invoicing ? ["pdf", "ubl"] : ["pdf"] } }
}
