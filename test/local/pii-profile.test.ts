import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ENTITY_DETECTORS, ibanValid, luhnValid, resolveEntityTypes } from "../../local/databrew/pii-detectors";
import { PiiProfiler, ProfileInputError } from "../../local/databrew/pii-profile";

const csv = (text: string) => Readable.from([Buffer.from(text)]);

describe("PII detectors", () => {
  it("check card numbers with Luhn and IBANs with mod 97", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(ENTITY_DETECTORS.CREDIT_CARD!("4111 1111 1111 1111")).toBe(true);
    expect(ENTITY_DETECTORS.CREDIT_CARD!("1111111111111117")).toBe(false);
    expect(ibanValid("CH93 0076 2011 6238 5295 7")).toBe(true);
    expect(ibanValid("CH93 0076 2011 6238 5295 8")).toBe(false);
  });

  it("recognise e-mails, names, IP and MAC addresses, phone numbers, SSNs and dates", () => {
    expect(ENTITY_DETECTORS.EMAIL!("ivan.rossi889@webmail.example")).toBe(true);
    expect(ENTITY_DETECTORS.PERSON_NAME!("Anna-Lena")).toBe(true);
    expect(ENTITY_DETECTORS.PERSON_NAME!("GBP")).toBe(false);
    expect(ENTITY_DETECTORS.PERSON_NAME!("ecommerce")).toBe(false);
    expect(ENTITY_DETECTORS.IP_ADDRESS!("10.0.0.1")).toBe(true);
    expect(ENTITY_DETECTORS.MAC_ADDRESS!("00:1A:2b:3c:4D:5e")).toBe(true);
    expect(ENTITY_DETECTORS.PHONE_NUMBER!("+41 44 123 45 67")).toBe(true);
    expect(ENTITY_DETECTORS.PHONE_NUMBER!("2221359052948816")).toBe(false);
    expect(ENTITY_DETECTORS.USA_SSN!("123-45-6789")).toBe(true);
    expect(ENTITY_DETECTORS.USA_SSN!("000-45-6789")).toBe(false);
    expect(ENTITY_DETECTORS.DATE!("2025-01-01T05:24:03Z")).toBe(true);
  });

  it("expand USA_ALL and report the types with no local detector", () => {
    const { checked, notEvaluated } = resolveEntityTypes(["USA_ALL", "PERSON_NAME"]);
    expect(checked).toContain("USA_SSN");
    expect(checked).toContain("PERSON_NAME");
    expect(checked).not.toContain("DATE");
    expect(notEvaluated).toContain("USA_PASSPORT_NUMBER");
  });
});

describe("PII profile", () => {
  const header = "id,email,account,first_name,amount\n";
  const rows = ["1,a@b.example,4111111111111111,Ivan,1.5", "2,c@d.example,5555555555554444,Dora,2", "3,,4111111111111111,Anna,3"].join(
    "\n",
  );

  it("counts entity matches per column and names the detected types, never the values", async () => {
    const profiler = new PiiProfiler(["EMAIL", "CREDIT_CARD", "PERSON_NAME", "USA_PASSPORT_NUMBER"]);
    await profiler.addCsv(csv(header + rows), "s3://b/k.csv");
    const profile = profiler.result();
    expect(profile.rowsProfiled).toBe(3);
    const column = (name: string) => profile.columns.find((c) => c.name === name)!;
    expect(column("email")).toMatchObject({ nonEmptyValues: 2, missingValues: 1, detectedEntityTypes: ["EMAIL"] });
    expect(column("account").detectedEntityTypes).toEqual(["CREDIT_CARD"]);
    expect(column("first_name").detectedEntityTypes).toEqual(["PERSON_NAME"]);
    expect(column("amount").detectedEntityTypes).toEqual([]);
    expect(profile.entityTypes.notEvaluated).toEqual(["USA_PASSPORT_NUMBER"]);
    expect(JSON.stringify(profile)).not.toContain("a@b.example");
  });

  it("stops at the sample size", async () => {
    const profiler = new PiiProfiler(["EMAIL"], 2);
    await profiler.addCsv(csv(header + rows), "f");
    expect(profiler.result().rowsProfiled).toBe(2);
  });

  it("fails on a malformed CSV or an empty file with the file and line, not the value", async () => {
    const broken = new PiiProfiler(["EMAIL"]);
    const error = await broken.addCsv(csv(`${header}1,"secret@x.example,unterminated\n`), "s3://b/bad.csv").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileInputError);
    expect(String((error as Error).message)).toContain("s3://b/bad.csv");
    expect(String((error as Error).message)).not.toContain("secret@x.example");
    await expect(new PiiProfiler(["EMAIL"]).addCsv(csv(""), "s3://b/empty.csv")).rejects.toThrow(/empty/);
  });
});
