// A file that cannot be read as what it should be (missing, of the wrong
// shape, or with values a served model cannot use). The message names the
// file and the offending id or column; the CLI prints it as it is.
export class InterchangeError extends Error {
  override name = "InterchangeError";
}
