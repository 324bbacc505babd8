import { describe, expect, it } from "vitest";
import { DIMENSIONS, PRODUCTS, askedCells, cellKey, checkClassification } from "./classification";

const key = Object.fromEntries(askedCells().map((c) => [c.key, c.answer]));

describe("checkClassification", () => {
  it("accepts the lecture's answers", () => {
    const result = checkClassification(key);
    expect(result).toEqual({ total: askedCells().length, correct: askedCells().length, wrong: [], missing: [] });
  });

  it("lists wrong and missing cells", () => {
    const answers: Record<string, string> = { ...key, [cellKey("docker", "kind")]: "vm" };
    delete answers[cellKey("ec2", "distribution")];
    const result = checkClassification(answers);
    expect(result.wrong).toEqual(["docker.kind"]);
    expect(result.missing).toEqual(["ec2.distribution"]);
    expect(result.correct).toBe(result.total - 2);
  });

  it("reports everything missing for no answers", () => {
    expect(checkClassification({}).missing).toHaveLength(askedCells().length);
  });

  it("follows the lecture on the key facts", () => {
    expect(key["vagrant.kind"]).toBe("environment");
    expect(key["ec2.distribution"]).toBe("public-cloud");
    expect(key["kvm.level"]).toBe("hypervisor");
    expect(key["docker.licence"]).toBe("open-source");
    expect(key["openstack.kind"]).toBe("private-cloud");
  });

  it("only asks with options that exist", () => {
    for (const p of PRODUCTS)
      for (const [dimension, answer] of Object.entries(p.key))
        expect(DIMENSIONS.find((d) => d.id === dimension)!.options.map((o) => o.id)).toContain(answer);
  });
});
