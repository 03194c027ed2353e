import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { type FinalizationEvents, InvoiceRepo, type InvoiceToIssue } from "@provisio/core/invoices/ports"
import { CustomerSummary, SubscriptionSummary } from "@provisio/core/invoices/views"
import { isCurrency, roundToMinorUnit } from "@provisio/core/shared/money"
import { toPage } from "@provisio/core/shared/pagination"
import type * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pgArray } from "./arrays.js"
import { minorUnitsSql } from "./json.js"
import { pageClause } from "./pagination.js"
import { resolvedCollectionMethodSql, resolvedPaymentTermsSql } from "./collection/resolved.js"
import { orPersistenceError } from "./persistence.js"
import { applyCustomerCredit } from "./invoices/credit.js"
import { invoiceNumberSql, takeNumbersSql } from "./invoices/numbers.js"
import {
  CustomerSummaryRows,
  decodeInvoices,
  invoiceJson,
  invoicesToIssueSql,
  SELECT_INVOICES,
  SubscriptionSummaryRows
} from "./invoices/json.js"

export { invoicesToIssueSql } from "./invoices/json.js"

export const InvoiceRepoLive = Layer.effect(
  InvoiceRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const iso = DateTime.formatIso

    const select = (where: Statement.Fragment) =>
      Effect.flatMap(sql<{ readonly invoice: unknown; readonly lineage: unknown }>`${sql.unsafe(SELECT_INVOICES)} ${where}`, decodeInvoices)

    const find = (id: string, lock: boolean) =>
      Effect.gen(function* () {
        if (lock) yield* sql`select id from invoices where id = ${id} for update`
        const rows = yield* select(sql`where i.id = ${id}`)
        return Option.fromNullable(rows[0])
      })

    const applyCreditNotes = (subjects: Statement.Fragment, at: DateTime.Utc) => applyCustomerCredit(sql, subjects, at)

    /**
     * Finalizes the rows `subjects` selects at `at`, set-based: credit from the customers' notes,
     * numbers, totals and status, the ledger and the events. `subjects` gives (id, customer_id,
     * lineage, issuer_account_id, currency, period, billing_run_id, amount_paid, created_at) of
     * invoices whose lines are stored; `write` stores the numbered rows `u` (the drafts' update,
     * or the issued invoices' insert) and answers them; their ids are the answer.
     */
    const finalize = (
      subjects: Statement.Fragment,
      write: Statement.Fragment,
      at: DateTime.Utc,
      events: ReadonlyArray<FinalizationEvents>
    ) =>
      Effect.gen(function* () {
        const year = DateTime.getPartUtc(at, "year")
        yield* applyCreditNotes(subjects, at)
        // Numbers: each issuer takes its next numbers of the year (invoices/numbers.ts); each
        // invoice gets its place among its issuer's.
        const finalized = yield* sql<{ readonly id: string }>`
          with drafts as (
            select s.*,
                   row_number() over (partition by s.issuer_account_id order by s.id) as place,
                   count(*) over (partition by s.issuer_account_id) as taken
              from (${subjects}) s
          ),
          sequences as (${takeNumbersSql(sql, "drafts", "issuer_account_id", year)}),
          sums as (
            select l.invoice_id,
                   coalesce(sum(l.amount) filter (where l.kind <> 'credit'), 0) as subtotal,
                   sum(l.amount) as total
              from invoice_lines l where l.invoice_id in (select id from drafts) group by l.invoice_id
          ),
          -- The breakdown from the taxed lines; total = subtotal + tax_total + credit lines.
          taxes as (
            select d.id as invoice_id, t.tax, t.tax_total
              from drafts d cross join lateral provisio_invoice_tax(d.id, ${sql.unsafe(minorUnitsSql("d.currency"))}) t
          ),
          numbered as (
            select d.*, ${invoiceNumberSql(sql, year, "k.n")} as number,
                   t.subtotal, t.total, x.tax, x.tax_total,
                   -- Credit covered all of it: nothing is left to pay, so it is paid at once.
                   case when t.total - d.amount_paid <= 0 then 'paid' else 'finalized' end as status,
                   case when t.total - d.amount_paid <= 0 then ${iso(at)}::timestamptz end as paid_at
              from drafts d join sequences s using (issuer_account_id) left join sums m on m.invoice_id = d.id
              join taxes x on x.invoice_id = d.id
             cross join lateral (select (s.last_number - d.taken + d.place)::text as n) k
             cross join lateral (select coalesce(m.subtotal, 0) as subtotal,
                                        coalesce(m.total, 0) + x.tax_total as total) t
          ),
          -- When it falls due and how it is collected, from the customer's terms; an automatic
          -- charge is queued (next_charge_at) with the finalization, for a collector to make.
          collected as (
            select u.*, terms.collection_method, terms.due_at,
                   (terms.due_at at time zone terms.timezone)::date as due_date,
                   -- Both parties as they are now: the documents show these ever after.
                   provisio_document_parties(u.issuer_account_id, u.customer_id) as parties,
                   case when terms.collection_method = 'charge_automatically' and u.status = 'finalized'
                        then ${iso(at)}::timestamptz end as next_charge_at
              from numbered u
             cross join lateral (
               select c.timezone, ${sql.unsafe(resolvedCollectionMethodSql("c"))} as collection_method,
                      ${iso(at)}::timestamptz + make_interval(days => ${sql.unsafe(resolvedPaymentTermsSql("c"))}) as due_at
                 from customers c where c.id = u.customer_id
             ) terms
          ),
          written as (${write}),
          ledger as (
            insert into ledger_entries (customer_id, currency, kind, amount, invoice_id, created_at)
            -- The gross: what the customer owes before credit (net lines + tax).
            select customer_id, currency, 'invoice', subtotal + tax_total, id, ${iso(at)}
              from written where subtotal + tax_total <> 0 order by id
          ),
          raised as (
            insert into events (id, type, occurred_at, customer_id, lineage, data)
            select case when e.kind = 0 then ids.finalized else ids.paid end,
                   case when e.kind = 0 then 'invoice.finalized' else 'invoice.paid' end,
                   ${iso(at)}, u.customer_id, u.lineage, json_build_object('invoice', ${sql.unsafe(invoiceJson("u"))})
              from written u
              join unnest(${pgArray(events.map((e) => e.invoice_id))}::text[], ${pgArray(events.map((e) => e.finalized_event_id))}::text[],
                          ${pgArray(events.map((e) => e.paid_event_id))}::text[]) as ids(invoice_id, finalized, paid)
                on ids.invoice_id = u.id
              join (values (0), (1)) as e(kind) on e.kind = 0 or u.status = 'paid'
             order by u.id, e.kind
          )
          select id from written order by id`
        return finalized.map((f) => f.id)
      })

    const finalizeDrafts = (ids: ReadonlyArray<string>, at: DateTime.Utc, events: ReadonlyArray<FinalizationEvents>) =>
      Effect.gen(function* () {
        // Locked in id order, so two finalizations of overlapping sets cannot deadlock; a draft
        // finalized meanwhile fails `status = 'draft'` once its lock is granted and is skipped.
        const drafts = yield* sql<{ readonly id: string }>`
          select id from invoices where id = any(${pgArray(ids)}::text[]) and status = 'draft' order by id for update`
        if (drafts.length === 0) return []
        const subjects = sql`
          select i.id, i.customer_id, i.lineage, i.issuer_account_id, i.currency, i.period, i.billing_run_id,
                 i.amount_paid, i.created_at
            from invoices i where i.id = any(${pgArray(drafts.map((d) => d.id))}::text[]) and i.status = 'draft'`
        return yield* finalize(subjects, sql`
          update invoices i
             set number = u.number, subtotal = u.subtotal, total = u.total, amount_due = u.total - u.amount_paid,
                 tax = u.tax, tax_total = u.tax_total,
                 status = u.status, paid_at = u.paid_at, finalized_at = ${iso(at)}, finalizes_at = null,
                 needs_rerate = false, updated_at = ${iso(at)}, due_at = u.due_at, due_date = u.due_date,
                 collection_method = u.collection_method, next_charge_at = u.next_charge_at, parties = u.parties
            from collected u
           where i.id = u.id and i.status = 'draft'
          returning i.*`, at, events)
      })

    const issueInvoices = (
      invoices: ReadonlyArray<InvoiceToIssue>,
      createdAt: DateTime.Utc,
      at: DateTime.Utc,
      events: ReadonlyArray<FinalizationEvents>
    ) => {
      if (invoices.length === 0) return Effect.succeed([])
      // Only those the run wrote lines for are made.
      const subjects = sql`
        select d.*, 0::numeric as amount_paid, ${iso(createdAt)}::timestamptz as created_at
          from (${invoicesToIssueSql(sql, invoices)}) d
         where exists (select 1 from invoice_lines l where l.invoice_id = d.id)`
      return finalize(subjects, sql`
        insert into invoices (id, number, customer_id, lineage, issuer_account_id, status, currency, period, billing_run_id,
                              subtotal, total, amount_paid, amount_due, paid_at, finalized_at, created_at, updated_at,
                              due_at, due_date, collection_method, next_charge_at, tax, tax_total, parties)
        select u.id, u.number, u.customer_id, u.lineage, u.issuer_account_id, u.status, u.currency, u.period,
               u.billing_run_id, u.subtotal, u.total, u.amount_paid, u.total - u.amount_paid, u.paid_at,
               ${iso(at)}, u.created_at, ${iso(at)}, u.due_at, u.due_date, u.collection_method, u.next_charge_at,
               u.tax, u.tax_total, u.parties
          from collected u order by u.id
        returning *`, at, events)
    }

    const voidInvoice = (id: string, at: DateTime.Utc, creditNote: { readonly id: string; readonly reason: string }) =>
      Effect.gen(function* () {
        // A finalized or paid invoice was booked: its ledger entry is reversed, the credit it
        // took goes back to its notes, and what was paid on it becomes credit (already in the
        // ledger as payments, so no entry for that note). A draft was never booked.
        const rows = yield* sql<{ readonly id: string; readonly credit_note_id: string | null }>`
          with target as (
            -- What the ledger still holds of it: the gross less what invoice credit notes took off
            -- (amount_due + amount_paid + the credit lines it took = the gross, less those notes).
            select id, number, status, customer_id, lineage, currency,
                   amount_due + amount_paid + (subtotal + tax_total - total) as subtotal, amount_paid
              from invoices where id = ${id} and status in ('draft', 'finalized', 'paid')
          ),
          restored as (
            update credit_notes n set remaining = n.remaining + r.amount, updated_at = ${iso(at)}
              from (select l.credit_note_id, -sum(l.amount) as amount
                      from invoice_lines l join target t on t.id = l.invoice_id and t.status <> 'draft'
                     where l.kind = 'credit' and l.credit_note_id is not null
                     group by l.credit_note_id) r
             where n.id = r.credit_note_id
          ),
          ledger as (
            insert into ledger_entries (customer_id, currency, kind, amount, invoice_id, created_at)
            select customer_id, currency, 'void', -subtotal, id, ${iso(at)}
              from target where status <> 'draft' and subtotal <> 0
          ),
          note as (
            insert into credit_notes (id, customer_id, lineage, currency, amount, remaining, reason, source, invoice_id,
                                      created_at, updated_at)
            select ${creditNote.id}, customer_id, lineage, currency, amount_paid, amount_paid,
                   ${creditNote.reason}, 'void', id, ${iso(at)}, ${iso(at)}
              from target where status <> 'draft' and amount_paid > 0
            returning id
          )
          update invoices i
             set status = 'void', voided_at = ${iso(at)}, amount_due = 0, finalizes_at = null, updated_at = ${iso(at)}
            from target t
           where i.id = t.id
          returning i.id, (select id from note) as credit_note_id`
        const row = rows[0]
        if (row === undefined) return Option.none()
        const stored = yield* find(id, false)
        return Option.map(stored, (s) => ({ stored: s, creditNoteId: row.credit_note_id }))
      })

    const summary: (typeof InvoiceRepo.Service)["summary"] = (within, filter) =>
      Effect.gen(function* () {
        const scope = sql`i.lineage @> array[${within}]::text[] and i.period = ${filter.period} and i.status <> 'void'
          ${filter.customer_id === undefined ? sql`` : sql`and i.customer_id = ${filter.customer_id}`}`
        const bySubscription = filter.subscription_id === undefined
          ? sql``
          : sql`and l.subscription_id = ${filter.subscription_id}`
        const subscriptions = yield* Effect.flatMap(
          sql`
            select l.subscription_id, i.customer_id, i.currency,
                   coalesce(sum(l.amount) filter (where l.kind = 'recurring'), 0)::text as recurring,
                   coalesce(sum(l.amount) filter (where l.kind = 'proration'), 0)::text as proration,
                   coalesce(sum(l.amount) filter (where l.kind = 'installment'), 0)::text as installment,
                   coalesce(sum(l.amount) filter (where l.kind = 'usage'), 0)::text as usage,
                   coalesce(sum(l.amount) filter (where l.kind = 'one_off'), 0)::text as one_off,
                   sum(l.amount)::text as total
              from invoices i join invoice_lines l on l.invoice_id = i.id
             where ${scope} and l.subscription_id is not null and l.kind <> 'credit' ${bySubscription}
             group by l.subscription_id, i.customer_id, i.currency
             order by l.subscription_id, i.currency`,
          Schema.decodeUnknown(SubscriptionSummaryRows)
        )
        // A subscription's summary counts the invoices it is billed on.
        const invoiceOfSubscription = filter.subscription_id === undefined ? sql`` : sql`
          and exists (select 1 from invoice_lines l where l.invoice_id = i.id and l.subscription_id = ${filter.subscription_id})`
        const customers = yield* Effect.flatMap(
          sql`
            select i.customer_id, i.currency, count(*)::int as invoices,
                   sum(i.subtotal)::text as subtotal,
                   sum(i.total - i.subtotal - i.tax_total)::text as credits,
                   sum(i.total)::text as total,
                   sum(i.amount_paid)::text as amount_paid,
                   sum(i.amount_due)::text as amount_due
              from invoices i
             where ${scope} ${invoiceOfSubscription}
             group by i.customer_id, i.currency
             order by i.customer_id, i.currency`,
          Schema.decodeUnknown(CustomerSummaryRows)
        )
        // Sums of rounded amounts are exact; this writes them with the currency's digits ("0.00", not "0").
        const digits = (n: BigDecimal.BigDecimal, currency: string) => isCurrency(currency) ? roundToMinorUnit(n, currency) : n
        return {
          subscriptions: subscriptions.map((r) =>
            new SubscriptionSummary({
              ...r,
              recurring: digits(r.recurring, r.currency),
              proration: digits(r.proration, r.currency),
              installment: digits(r.installment, r.currency),
              usage: digits(r.usage, r.currency),
              one_off: digits(r.one_off, r.currency),
              total: digits(r.total, r.currency)
            })
          ),
          customers: customers.map((r) =>
            new CustomerSummary({
              ...r,
              subtotal: digits(r.subtotal, r.currency),
              credits: digits(r.credits, r.currency),
              total: digits(r.total, r.currency),
              amount_paid: digits(r.amount_paid, r.currency),
              amount_due: digits(r.amount_due, r.currency)
            })
          )
        }
      }).pipe(orPersistenceError)

    return InvoiceRepo.of({
      finalizeDrafts: (ids, at, events) => orPersistenceError(finalizeDrafts(ids, at, events)),
      issueInvoices: (invoices, createdAt, at, events) => orPersistenceError(issueInvoices(invoices, createdAt, at, events)),
      voidInvoice: (id, at, creditNote) => orPersistenceError(voidInvoice(id, at, creditNote)),
      findById: (id) => orPersistenceError(find(id, false)),
      lock: (id) => orPersistenceError(find(id, true)),
      list: (within, filter, page) =>
        orPersistenceError(select(sql`
          where i.lineage @> array[${within}]::text[]
          ${filter.customer_id === undefined ? sql`` : sql`and i.customer_id = ${filter.customer_id}`}
          ${filter.status === undefined ? sql`` : filter.status === "overdue"
            ? sql`and i.status = 'finalized' and i.amount_due > 0 and i.due_at < ${filter.as_of === undefined ? sql`now()` : sql`${iso(filter.as_of)}::timestamptz`}`
            : sql`and i.status = ${filter.status}`}
          ${filter.period === undefined ? sql`` : sql`and i.period = ${filter.period}`}
          ${pageClause(sql, page, "i.id")}`).pipe(Effect.map((rows) => toPage(rows.map((r) => r.invoice), page)))),
      summary,
      setDisputed: (id, disputed, at) =>
        orPersistenceError(Effect.map(
          Effect.flatMap(
            sql<{ readonly invoice: unknown; readonly lineage: unknown }>`
              with changed as (
                update invoices set disputed = ${disputed}, updated_at = ${iso(at)}
                 where id = ${id} and status in ('finalized', 'paid')
                returning *
              )
              select ${sql.unsafe(invoiceJson("i"))} as invoice, i.lineage from changed i`,
            decodeInvoices
          ),
          (rows) => Option.fromNullable(rows[0])
        )),
      markOverdue: (at, limit) =>
        orPersistenceError(Effect.flatMap(
          sql<{ readonly invoice: unknown; readonly lineage: unknown }>`
            with marked as (
              update invoices set overdue_at = ${iso(at)}
               where id in (select id from invoices
                             where status = 'finalized' and due_at < ${iso(at)} and amount_due > 0
                               and overdue_at is null and not disputed
                             order by due_at limit ${limit} for update skip locked)
              returning *
            )
            select ${sql.unsafe(invoiceJson("i"))} as invoice, i.lineage from marked i order by i.id`,
          decodeInvoices
        ))
    })
  })
)
