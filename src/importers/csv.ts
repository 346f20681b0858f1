// A small CSV reader following RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180):
// fields separated by commas, records by CRLF or LF, fields that contain a
// comma, a quote or a line break are enclosed in double quotes, and a quote
// inside a quoted field is written twice ("").
//
// Each record keeps the 1-based line on which it starts, so callers can
// report errors by line even when a quoted field spans several lines.

export interface CsvRecord {
  line: number; // physical line (1-based) where the record starts
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number, // 1-based character position in the line
    readonly detail: string,
  ) {
    super(`line ${line}, character ${column}: ${detail}`);
    this.name = "CsvSyntaxError";
  }
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const CR = 13;
const LF = 10;

// Parses the whole text. A byte order mark is dropped; empty lines are skipped
// (RFC 4180 has no empty records, and a trailing newline is common). Rows may
// have different lengths: checking the field count is the caller's job,
// because only the caller knows the header.
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i;

  while (i < n) {
    // Start of a record.
    const c0 = text.charCodeAt(i);
    if (c0 === LF || c0 === CR) {
      i += c0 === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      lineStart = i;
      continue;
    }
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      // Start of a field.
      if (text.charCodeAt(i) === QUOTE) {
        let value = "";
        let chunkStart = i + 1;
        let j = chunkStart;
        for (;;) {
          if (j >= n) {
            throw new CsvSyntaxError(recordLine, 1, "quoted field is never closed (missing closing \")");
          }
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            if (text.charCodeAt(j + 1) === QUOTE) {
              value += text.slice(chunkStart, j + 1);
              j += 2;
              chunkStart = j;
              continue;
            }
            value += text.slice(chunkStart, j);
            j++;
            break;
          }
          // A CRLF inside a quoted field counts as one line break, at the LF.
          if (c === LF || (c === CR && text.charCodeAt(j + 1) !== LF)) {
            line++;
            lineStart = j + 1;
          }
          j++;
        }
        fields.push(value);
        i = j;
        const after = i < n ? text.charCodeAt(i) : LF;
        if (after !== COMMA && after !== LF && after !== CR) {
          throw new CsvSyntaxError(
            line,
            i - lineStart + 1,
            `unexpected character ${JSON.stringify(text[i])} after a closing quote (a quote inside a field must be written "")`,
          );
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      // End of a field: a comma starts another one, anything else ends the record.
      if (i < n && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      break;
    }
    records.push({ line: recordLine, fields });
    if (i < n) {
      i += text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      lineStart = i;
    }
  }
  return records;
}
