import type { ComponentChildren } from "preact"
import { useCallback, useEffect, useState } from "preact/hooks"
import { href, onLinkClick } from "../router.js"

/** The API's refusal envelope, as far as the console reads it. */
export interface ApiFailure {
  readonly error?: { readonly code?: string; readonly message?: string; readonly field?: string }
}

export const failureText = (failure: unknown): string => {
  const error = (failure as ApiFailure | undefined)?.error
  return error === undefined ? String(failure) : `${error.message ?? error.code ?? "the request failed"}`
}

export const Link = ({ to, children, current, label }: { to: string; children: ComponentChildren; current?: boolean; label?: string }) => (
  <a href={href(to)} onClick={onLinkClick(to)} aria-current={current ? "page" : undefined} aria-label={label}>{children}</a>
)

export const Page = ({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) => {
  useEffect(() => {
    document.title = `${title} · Provisio`
  }, [title])
  return (
    <section aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>{title}</h1>
        {actions}
      </header>
      {children}
    </section>
  )
}

export const Notice = ({ kind = "info", children }: { kind?: "info" | "error" | "ok"; children: ComponentChildren }) => (
  <p class={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>{children}</p>
)

export const Busy = ({ label = "Loading" }: { label?: string }) => (
  <p class="busy" role="status" aria-live="polite"><span class="spinner" aria-hidden="true" />{label}…</p>
)

/** Loads once (and again when `deps` change); `reload` asks again. */
export const useLoad = <A,>(load: () => Promise<A>, deps: ReadonlyArray<unknown>) => {
  const [state, setState] = useState<{ value?: A; error?: unknown; loading: boolean }>({ loading: true })
  const run = useCallback(() => {
    setState((s) => ({ ...s, loading: true }))
    load().then((value) => setState({ value, loading: false }), (error) => setState({ error, loading: false }))
  }, deps)
  useEffect(run, [run])
  return { ...state, reload: run }
}

/** The payload of an openapi-fetch answer, or a thrown envelope. */
export const ok = async <D extends { readonly data: unknown }>(answer: Promise<{ data?: D; error?: unknown }>): Promise<D["data"]> => {
  const { data, error } = await answer
  if (data === undefined) throw error ?? new Error("no answer")
  return data.data
}

export interface PageOf<Row> {
  readonly rows: ReadonlyArray<Row>
  readonly next: string | null
}

/** A list page from an answer carrying `meta.page.next_cursor`. */
export const paged = async <Row,>(
  answer: Promise<{ data?: { readonly data: ReadonlyArray<Row>; readonly meta: { readonly page: { readonly next_cursor: string | null } } }; error?: unknown }>
): Promise<PageOf<Row>> => {
  const { data, error } = await answer
  if (data === undefined) throw error ?? new Error("no answer")
  return { rows: data.data, next: data.meta.page.next_cursor }
}

export interface Column<Row> {
  readonly label: string
  readonly render: (row: Row) => ComponentChildren
  readonly numeric?: boolean
}

/**
 * A list read page by page with the API's cursors (a stack of them for "Previous"), so ten
 * thousand rows are never in the page at once. `searchable`: the API searches the whole list
 * (`?search=`, passed to `load`), from page one; `filter` narrows the page shown, for lists the
 * API cannot search. `empty` is what a list with nothing in it says.
 */
export const PagedList = <Row,>({ label, load, columns, empty, rowKey, filter, searchable = false, deps = [] }: {
  label: string
  load: (cursor: string | undefined, search: string | undefined) => Promise<PageOf<Row>>
  columns: ReadonlyArray<Column<Row>>
  empty: string
  rowKey: (row: Row) => string
  filter?: (row: Row, text: string) => boolean
  searchable?: boolean
  deps?: ReadonlyArray<unknown>
}) => {
  // The cursors belong to the list as `deps` filter it: another filter starts from page one in
  // the same render, since the API refuses a cursor of another filter (422 on `cursor`).
  const listKey = JSON.stringify(deps)
  const [paging, setPaging] = useState<{ readonly listKey: string; readonly cursors: ReadonlyArray<string | undefined> }>({ listKey, cursors: [undefined] })
  const cursors = paging.listKey === listKey ? paging.cursors : [undefined]
  const setCursors = (next: ReadonlyArray<string | undefined>) => setPaging({ listKey, cursors: next })
  const [text, setText] = useState("")
  const [search, setSearch] = useState<string | undefined>(undefined)
  const cursor = cursors[cursors.length - 1]
  const page = useLoad(() => load(cursor, search), [cursor, search, ...deps])
  const rows = (page.value?.rows ?? []).filter((row) => searchable || filter === undefined || text === "" || filter(row, text.toLowerCase()))
  return (
    <div class="list">
      {searchable && (
        <form class="filter" role="search" onSubmit={(e) => {
          e.preventDefault()
          setCursors([undefined])
          setSearch(text.trim() === "" ? undefined : text.trim())
        }}>
          <label>Search {label.toLowerCase()} <input type="search" value={text} maxLength={100} onInput={(e) => setText(e.currentTarget.value)} /></label>
          <button type="submit">Search</button>
        </form>
      )}
      {!searchable && filter && (
        <div class="filter">
          <label>Filter {label.toLowerCase()} <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
        </div>
      )}
      {page.error !== undefined && <Notice kind="error">{failureText(page.error)}</Notice>}
      {page.loading && page.value === undefined ? <Busy /> : rows.length === 0 ? (
        <p class="empty">{searchable ? (search === undefined ? empty : `Nothing matches “${search}”.`)
          : text === "" ? empty : `Nothing on this page matches “${text}”.`}</p>
      ) : (
        <table aria-label={label} aria-busy={page.loading}>
          <thead>
            <tr>{columns.map((c) => <th scope="col" class={c.numeric ? "num" : undefined}>{c.label}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={rowKey(row)}>{columns.map((c) => <td class={c.numeric ? "num" : undefined}>{c.render(row)}</td>)}</tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label={`${label} pages`}>
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!page.value?.next} onClick={() => page.value?.next && setCursors([...cursors, page.value.next])}>Next page</button>
      </nav>
    </div>
  )
}

export const Status = ({ value }: { value: string | null | undefined }) => (
  <span class={`status status-${value ?? "none"}`}>{value ?? "—"}</span>
)
