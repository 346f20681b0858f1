import { CsvSyntaxError, parseCsv } from "../../src/importers/csv";

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe("parseCsv", () => {
  it("splits plain records on LF and CRLF alike", () => {
    expect(fields("a,b,c\n1,2,3\n")).toEqual([["a", "b", "c"], ["1", "2", "3"]]);
    expect(fields("a,b,c\r\n1,2,3\r\n")).toEqual([["a", "b", "c"], ["1", "2", "3"]]);
    expect(fields("a,b\r\n1,2")).toEqual([["a", "b"], ["1", "2"]]); // no final line break
  });

  it("keeps commas, escaped quotes and line breaks inside quoted fields", () => {
    const text = 'id,title\r\n29,"City of Lost Children, The (1995)"\r\n7789,"11\'09""01 - September 11 (2002)"\r\n';
    expect(fields(text)).toEqual([
      ["id", "title"],
      ["29", "City of Lost Children, The (1995)"],
      ["7789", "11'09\"01 - September 11 (2002)"],
    ]);
    expect(fields('1,"line one\r\nline two",x\n')).toEqual([["1", "line one\r\nline two", "x"]]);
    expect(fields('"""artsy"""')).toEqual([['"artsy"']]);
  });

  it("keeps empty fields, including a trailing one", () => {
    expect(fields(",a,,\n")).toEqual([["", "a", "", ""]]);
    expect(fields('""\n')).toEqual([[""]]);
  });

  it("reports the line a record starts on, counting lines inside quoted fields", () => {
    const records = parseCsv('h\n"a\nb"\n\nc\r\nd');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 6]);
  });

  it("drops a byte order mark and skips empty lines", () => {
    expect(fields("\ufeffa,b\n\n1,2\n\n")).toEqual([["a", "b"], ["1", "2"]]);
  });

  it("rejects an unclosed quote and text after a closing quote, with line and position", () => {
    expect(() => parseCsv('a\n"open,1\n')).toThrow(new CsvSyntaxError(2, 1, 'quoted field is never closed (missing closing ")'));
    expect(() => parseCsv('a\n"x"y,1')).toThrow(/line 2, character 4: unexpected character "y" after a closing quote/);
  });
});
