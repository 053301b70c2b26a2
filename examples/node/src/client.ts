// A client of the Latest Interactions API, as a web app or a Node service would write it: it names
// the version it reads in Accept, sends its bearer token, and retries a 503 after Retry-After.
import type { components } from "./generated/public-api.js";

export type InteractionV1 = components["schemas"]["InteractionV1"];
export type InteractionV2 = components["schemas"]["InteractionV2"];
export type InteractionType = "All" | "Phone" | "Chat" | "Email";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`${status}: ${message}`);
  }
}

export interface ClientOptions {
  /** The API's base URL, ending in the path version: http://host:port/v0 */
  baseUrl: string;
  token: string;
  /** Attempts on a 503 before giving up (default 3). */
  attempts?: number;
  /** The longest wait between attempts, whatever Retry-After says (default 2,000 ms). */
  maxWaitMs?: number;
}

export class LatestInteractionsClient {
  constructor(private readonly options: ClientOptions) {}

  /** Version 1: the agent's current interaction, else the last one (at most one item). */
  async latest(account: string, agent: string): Promise<InteractionV1 | undefined> {
    const body = (await this.get(account, agent, "1", new URLSearchParams())) as components["schemas"]["InteractionsV1"];
    return body.interactions[0];
  }

  /** Version 2: the agent's channels, newest first (or live first), filtered by type, at most `size`. */
  async channels(
    account: string,
    agent: string,
    query: { size?: number; type?: InteractionType; activeLiveFirst?: boolean } = {},
  ): Promise<InteractionV2[]> {
    const params = new URLSearchParams();
    if (query.size !== undefined) params.set("size", String(query.size));
    if (query.type !== undefined) params.set("type", query.type);
    if (query.activeLiveFirst !== undefined) params.set("activeLiveFirst", String(query.activeLiveFirst));
    const body = (await this.get(account, agent, "2", params)) as components["schemas"]["InteractionsV2"];
    return body.interactions;
  }

  private async get(account: string, agent: string, version: string, params: URLSearchParams): Promise<unknown> {
    const path = `${this.options.baseUrl}/${encodeURIComponent(account)}/agents/${encodeURIComponent(agent)}/latestInteractions`;
    const url = params.size > 0 ? `${path}?${params}` : path;
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      const answer = await fetch(url, {
        headers: { Authorization: `Bearer ${this.options.token}`, Accept: `application/json;version=${version}` },
      });
      if (answer.status === 503 && attempt < attempts) {
        await answer.arrayBuffer();
        await sleep(this.waitMs(answer.headers.get("retry-after")));
        continue;
      }
      const body: unknown = await answer.json();
      if (!answer.ok) {
        const message = (body as components["schemas"]["Message"] | undefined)?.message ?? answer.statusText;
        throw new ApiError(answer.status, message);
      }
      return body;
    }
  }

  private waitMs(retryAfter: string | null): number {
    const seconds = Number(retryAfter ?? "0");
    const wanted = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 100;
    return Math.min(wanted, this.options.maxWaitMs ?? 2000);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
