import { createProgress } from "../../src/cli/progress";

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (s: string) => chunks.push(s) } };
}

describe("createProgress", () => {
  it("prints a plain line per quarter when not on a terminal", () => {
    const { chunks, stream } = sink(false);
    let t = 0;
    const p = createProgress("fit svd", { stream, now: () => (t += 100) });
    for (let i = 0; i <= 10; i++) p.update(i / 10, "fold 1/5");
    p.done();
    expect(chunks.every((c) => c.endsWith("\n") && !c.includes("\r"))).toBe(true);
    expect(chunks.map((c) => c.split(":")[1].trim().split(" ")[0])).toEqual(["0%", "30%", "50%", "80%", "done"]);
  });

  it("redraws one bar in place on a terminal", () => {
    const { chunks, stream } = sink(true);
    let t = 0;
    const p = createProgress("eval", { stream, now: () => (t += 1000), width: 10 });
    p.update(0.5, "half");
    p.done("ok");
    expect(chunks[0]).toMatch(/^\reval \[#####-----\]  50% half/);
    expect(chunks[1]).toMatch(/^\reval: done ok/);
    expect(chunks[1].endsWith("\n")).toBe(true);
  });

  it("is plain when asked even on a terminal (CI=true)", () => {
    const { chunks, stream } = sink(true);
    createProgress("x", { stream, plain: true }).update(0.3);
    expect(chunks[0]).toMatch(/^x: 30%/);
  });
});
