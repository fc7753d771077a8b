import type { RunningEmulator } from "../../src/emulator/index.js";
import { startTestEmulator } from "../support/emulator.js";

export const TEST_KEY = "test_emulatorkey123";
import { LOBSTER_CSV, LOBSTER_REQUIRED_MAPPING as LOBSTER_MAPPING } from "../support/lobster.js";

export { LOBSTER_CSV, LOBSTER_MAPPING };

export function authHeader(key: string = TEST_KEY): string {
  return `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
}

export { startTestEmulator };

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly text: string;
}

/** A tiny client: JSON in, parsed JSON (or text) out. */
export function apiClient(emulator: RunningEmulator, key: string = TEST_KEY) {
  async function call(
    method: string,
    path: string,
    body?: unknown,
    opts: { form?: boolean; multipart?: FormData; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { Authorization: authHeader(key), ...opts.headers };
    let payload: RequestInit["body"] | undefined;
    if (opts.multipart) payload = opts.multipart;
    else if (body !== undefined && opts.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      payload = body as string;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const url = path.startsWith("http") ? path : `${emulator.url}${path}`;
    const res = await fetch(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }
  return {
    call,
    get: (path: string) => call("GET", path),
    post: (path: string, body?: unknown) => call("POST", path, body),
    patch: (path: string, body?: unknown) => call("PATCH", path, body),
    del: (path: string) => call("DELETE", path),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

export async function uploadCsv(
  api: ApiClient,
  uploadId: string,
  csv: string | Buffer,
  filename = "audience.csv",
) {
  const form = new FormData();
  form.append("file", new Blob([csv]), filename);
  return api.call("POST", `/uploads/${uploadId}/file`, undefined, { multipart: form });
}

/** Campaign + postcard creative + mapped upload (+ optional file), ready to send. */
export async function buildCampaign(
  api: ApiClient,
  opts: {
    csv?: string | Buffer;
    cancelWindowMinutes?: number;
    front?: string;
    mergeMapping?: Record<string, string> | null;
  } = {},
) {
  const campaign = await api.post("/campaigns", {
    name: "Lobster thank-you",
    schedule_type: "immediate",
    use_type: "marketing",
    ...(opts.cancelWindowMinutes !== undefined
      ? { cancel_window_campaign_minutes: opts.cancelWindowMinutes }
      : {}),
  });
  const cmp = campaign.body.id as string;
  const creative = await api.post("/creatives", {
    campaign_id: cmp,
    resource_type: "postcard",
    front: opts.front ?? "tmpl_front1",
    back: "tmpl_back1",
    details: {},
  });
  const upload = await api.post("/uploads", {
    campaignId: cmp,
    requiredAddressColumnMapping: LOBSTER_MAPPING,
    optionalAddressColumnMapping: { address_line2: null, company: null, address_country: null },
    mergeVariableColumnMapping: opts.mergeMapping ?? null,
    metadata: { columns: [] },
  });
  const upl = upload.body.id as string;
  if (opts.csv !== undefined) await uploadCsv(api, upl, opts.csv);
  return { cmp, crv: creative.body.id as string, upl, campaign, creative, upload };
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function waitForUploadState(api: ApiClient, upl: string, states: readonly string[]) {
  return waitFor(
    () => api.get(`/uploads/${upl}`),
    (r) => states.includes(r.body?.state),
  );
}
