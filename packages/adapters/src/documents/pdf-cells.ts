/**
 * Text in a box, for the PDF's layout (pdf.ts): every piece of text is measured before it is
 * placed, so what follows it is placed after its height and nothing overprints.
 *
 * The lines are broken here, not by pdfkit: pdfkit measures a line word by word but draws it as
 * one run, and the font's shaping differs between the two (Arabic letters are joined in a word
 * measured alone, left unjoined in a line that starts in Latin), so a line it broke could come out
 * wider than its box. Each line here is measured as it is drawn, whole, then drawn with no width
 * (pdfkit then neither wraps it again nor breaks the page).
 */

/** DejaVu Sans's ascent and line height, in ems (hhea: ascender 1901, descender -483 of 2048 units). */
const ASCENT = 1901 / 2048
export const LINE_HEIGHT = (1901 + 483) / 2048

/** The smallest size a figure shrinks to before it wraps. */
export const FIGURE_MIN_SIZE = 6

/** Text laid out for a box: its lines, the size they print in, the distance between them. */
export interface Block {
  readonly lines: ReadonlyArray<string>
  readonly size: number
  readonly step: number
  readonly height: number
}

export interface FitOptions {
  /** Shrink down to this size to stay on one line (figures) before wrapping; the size itself by default: wrap. */
  readonly min?: number
  /** The distance between wrapped lines, in ems of the size. */
  readonly leading?: number
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** The natural width of `value` at `size` in the current font. */
export const widthAt = (doc: PDFKit.PDFDocument, value: string, size: number): number =>
  doc.fontSize(size).widthOfString(value)

/** Breaks `value` into lines no wider than `width` at the current font and size: at spaces, else between characters. */
const wrap = (doc: PDFKit.PDFDocument, value: string, width: number): Array<string> => {
  const fits = (line: string) => doc.widthOfString(line.trimEnd()) <= width
  const lines: Array<string> = []
  for (const paragraph of value.split(/\r?\n/)) {
    let line = ""
    for (const word of paragraph.split(/(?<=\s)/)) {
      if (fits(line + word)) { line += word; continue }
      if (line.trim() !== "") lines.push(line.trimEnd())
      line = word.trimStart()
      if (fits(line)) continue
      // A word wider than the box: as many of its characters as fit on each line.
      line = ""
      for (const { segment } of graphemes.segment(word.trimStart())) {
        if (line !== "" && !fits(line + segment)) { lines.push(line.trimEnd()); line = "" }
        line += segment
      }
    }
    lines.push(line.trimEnd())
  }
  return lines
}

/**
 * Lays out `value` in `width` at `size` (in the current font): on one line when it fits; else a
 * figure (`min` below `size`) prints smaller, down to `min`, to stay whole on its line; else it
 * wraps onto as many lines as it needs (at `min`).
 */
export const fit = (doc: PDFKit.PDFDocument, value: string, width: number, size: number, options: FitOptions = {}): Block => {
  const min = options.min ?? size
  const leading = options.leading ?? LINE_HEIGHT
  const block = (lines: ReadonlyArray<string>, at: number): Block =>
    ({ lines, size: at, step: at * leading, height: (lines.length - 1) * at * leading + at * LINE_HEIGHT })
  const natural = widthAt(doc, value, size)
  if (natural <= width && !/\n/.test(value)) return block([value], size)
  if (min < size && !/\n/.test(value)) {
    // Widths grow with the size: the largest size at which it fits, to a hundredth of a point.
    const smaller = Math.floor((size * width / natural) * 100) / 100
    if (smaller >= min && widthAt(doc, value, smaller) <= width) return block([value], smaller)
  }
  doc.fontSize(min)
  return block(wrap(doc, value, width), min)
}

/**
 * Draws a block at `y` (the top of a line at `base`, the size of the text beside it: a smaller
 * figure keeps its baseline), aligned in `width` from `x`. Returns how far down it reaches.
 */
export const draw = (
  doc: PDFKit.PDFDocument, block: Block, x: number, y: number, width: number,
  align: "left" | "right" | "center" = "left", base: number = block.size
): number => {
  const shift = (base - block.size) * ASCENT
  doc.fontSize(block.size)
  block.lines.forEach((line, i) => {
    const free = width - doc.widthOfString(line)
    const left = align === "right" ? x + free : align === "center" ? x + free / 2 : x
    doc.text(line, left, y + shift + i * block.step, { lineBreak: false })
  })
  return extent(block, base)
}

/** How far below the top of its line a block reaches, printed beside text of size `base`. */
export const extent = (block: Block, base: number = block.size): number => (base - block.size) * ASCENT + block.height

/** A row's height: `base` for one line of text at `size`, more when one of its blocks is taller. */
export const rowHeight = (blocks: ReadonlyArray<Block>, base: number, size: number): number =>
  Math.max(base, ...blocks.map((block) => extent(block, size) + base - size * LINE_HEIGHT))

/** Cuts `value` so that it and an ellipsis fit in `width` at the current font and size (whole if it fits). */
export const truncate = (doc: PDFKit.PDFDocument, value: string, width: number): string => {
  if (doc.widthOfString(value) <= width) return value
  const kept = Array.from(graphemes.segment(value), (s) => s.segment)
  while (kept.length > 0 && doc.widthOfString(`${kept.join("").trimEnd()}…`) > width) kept.pop()
  return `${kept.join("").trimEnd()}…`
}

/**
 * Widths for columns that need `needs` and have at least `mins`, sharing `spare` points: each gets
 * what it needs when the spare covers them all, else the smaller needs are met first and the rest
 * is shared equally (a figure still too wide then shrinks, see `fit`).
 */
export const share = (mins: ReadonlyArray<number>, needs: ReadonlyArray<number>, spare: number): Array<number> => {
  const extra = mins.map((min, i) => Math.max(0, (needs[i] ?? 0) - min))
  const order = extra.map((_, i) => i).sort((a, b) => extra[a]! - extra[b]!)
  const widths = [...mins]
  let left = Math.max(0, spare)
  order.forEach((i, n) => {
    const given = Math.min(extra[i]!, left / (order.length - n))
    widths[i]! += given
    left -= given
  })
  return widths
}
