import { describe, expect, it } from "vitest";
import { freshDatabase } from "../../support/postgres.js";

describe("the test PostgreSQL", () => {
  it("gives each caller a database of its own, with the password it was made with", async () => {
    const a = await freshDatabase();
    const b = await freshDatabase();
    expect(a.database).not.toBe(b.database);
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: a.url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>("select current_database() as db");
    await client.end();
    expect(rows[0]?.db).toBe(a.database);
  });
});
