// The one API layer: a client typed by the service's own /openapi.json (src/lib/api-types.ts).
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./api-types";
import { getKey } from "./session";

export type Schemas = components["schemas"];

export const api = createClient<paths>({ baseUrl: window.location.origin });

const bearer: Middleware = {
  onRequest({ request }) {
    const key = getKey();
    if (key) request.headers.set("Authorization", `Bearer ${key}`);
    return request;
  },
};
api.use(bearer);

export type FieldProblem = { field: string; message: string };

/** An API error answer: `{error: {code, message, details: [{field, message}]}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly details: FieldProblem[],
    readonly raw: unknown,
  ) {
    super(message);
  }

  /** The message the API gave for `field` (the last path segment may be given, e.g. "control"). */
  forField(field: string): string | undefined {
    const hit = this.details.find(
      (d) => d.field === field || d.field.endsWith(`.${field}`) || d.field.startsWith(`${field}.`),
    );
    return hit?.message;
  }
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of an openapi-fetch answer, or an ApiError carrying the fields the API named. */
export async function unwrap<T>(promise: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await promise;
  if (response.ok) return data as T;
  const body = (error ?? {}) as {
    error?: { code?: string; message?: string; details?: Array<Record<string, unknown>> };
  };
  const details = (body.error?.details ?? []).map((d) => ({
    field: String(d.field ?? ""),
    message: String(d.message ?? d.value ?? ""),
  }));
  throw new ApiError(
    response.status,
    body.error?.message ?? `HTTP ${response.status}`,
    body.error?.code ?? "error",
    details,
    error,
  );
}
