// MARQUEE_RETRAIN_EVERY and MARQUEE_CHALLENGER_MARGIN: what each form means,
// and a start that stops on a bad value, naming the variable and the value.
import { ConfigError, loadConfig, parseChallengerMargin, parseRetrainEvery } from "../../src/config";

describe("MARQUEE_RETRAIN_EVERY", () => {
  it.each([
    [undefined, { everyMs: undefined, everyInteractions: undefined }],
    ["", { everyMs: undefined, everyInteractions: undefined }],
    ["off", { everyMs: undefined, everyInteractions: undefined }],
    ["6h", { everyMs: 21_600_000, everyInteractions: undefined }],
    ["30m", { everyMs: 1_800_000, everyInteractions: undefined }],
    ["900s", { everyMs: 900_000, everyInteractions: undefined }],
    ["2d", { everyMs: 172_800_000, everyInteractions: undefined }],
    ["5000 interactions", { everyMs: undefined, everyInteractions: 5000 }],
    ["1 interaction", { everyMs: undefined, everyInteractions: 1 }],
    ["6h, 5000 interactions", { everyMs: 21_600_000, everyInteractions: 5000 }],
    [" 5 interactions ,1500ms ", { everyMs: 1500, everyInteractions: 5 }],
  ])("reads %j", (raw, expected) => {
    expect(parseRetrainEvery(raw)).toEqual(expected);
  });

  const usage = `MARQUEE_RETRAIN_EVERY must be "6h", "30m", "900s", "5000 interactions" or both ("6h, 5000 interactions")`;
  it.each([
    ["6", `${usage}; "6" is neither an interval with its unit nor "<n> interactions"; got "6"`],
    ["weekly", `${usage}; "weekly" is neither an interval with its unit nor "<n> interactions"; got "weekly"`],
    ["-5 interactions", `${usage}; "-5 interactions" is neither an interval with its unit nor "<n> interactions"; got "-5 interactions"`],
    ["0 interactions", `${usage}; the count must be at least 1; got "0 interactions"`],
    ["500ms", `${usage}; the interval must be from 1s to 365d; got "500ms"`],
    ["400d", `${usage}; the interval must be from 1s to 365d; got "400d"`],
    ["6h, 1h", `${usage}; the interval is given twice; got "6h, 1h"`],
    ["5 interactions, 6 interactions", `${usage}; the count is given twice; got "5 interactions, 6 interactions"`],
    ["6h,", `${usage}; an empty part; got "6h,"`],
  ])("stops the start on %j", (raw, message) => {
    expect(() => loadConfig({ MARQUEE_RETRAIN_EVERY: raw }, "/")).toThrow(new ConfigError(message));
  });
});

describe("MARQUEE_CHALLENGER_MARGIN", () => {
  it.each([
    [undefined, 0.02],
    ["0", 0],
    ["0.1", 0.1],
    ["5%", 0.05],
    [" 2.5 % ", 0.025],
  ])("reads %j", (raw, expected) => {
    expect(parseChallengerMargin(raw)).toBeCloseTo(expected, 12);
  });

  it.each(["-0.1", "1", "150%", "two percent", "0.02.1"])("stops the start on %j", (raw) => {
    expect(() => loadConfig({ MARQUEE_CHALLENGER_MARGIN: raw }, "/")).toThrow(
      new ConfigError(`MARQUEE_CHALLENGER_MARGIN must be a fraction from 0 to under 1, or a percentage (0.02 or 2%: a challenger may be 2% worse than the champion); got ${JSON.stringify(raw)}`),
    );
  });

  it("stops on a poll interval out of range", () => {
    expect(() => loadConfig({ MARQUEE_RETRAIN_POLL_INTERVAL_MS: "0" }, "/")).toThrow(
      new ConfigError('MARQUEE_RETRAIN_POLL_INTERVAL_MS must be an integer from 10 to 3600000; got "0"'),
    );
  });
});
