// The client against the mock, driven over HTTP from Node as any non-Python project would: an agent
// picks up a call and the client sees it; the call ends and the client sees that; the journal shows
// what the client sent and why it was answered so; a 503 then a success, and the client's retry.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { ApiError, LatestInteractionsClient } from "../src/client.js";
import { startMock, type RunningMock } from "../src/mock.js";

const ACCOUNT = "a1b2c3d4e5";
const TOKEN = "valid-token";

describe("the client against the mock", () => {
  let mock: RunningMock;
  let client: LatestInteractionsClient;

  before(async () => {
    mock = await startMock();
    client = new LatestInteractionsClient({ baseUrl: mock.ready.base_url, token: TOKEN, maxWaitMs: 200 });
  });

  after(async () => {
    assert.equal(await mock.stop(), 0, "the mock exits 0 on SIGTERM");
  });

  beforeEach(async () => {
    const reset = await mock.control.POST("/__admin/reset");
    assert.equal(reset.response.status, 200);
  });

  it("is ready and healthy before the first request", async () => {
    const health = await mock.control.GET("/__admin/health");
    assert.equal(health.response.status, 200);
    assert.equal(health.data?.status, "ok");
  });

  it("sees a call an agent picks up, then sees it end", async () => {
    const added = await mock.control.POST("/__admin/accounts/{account}/agents", {
      params: { path: { account: ACCOUNT } },
      body: { id: "agent-node" },
    });
    assert.equal(added.response.status, 201);
    assert.equal(await client.latest(ACCOUNT, "agent-node"), undefined, "a new agent has no interaction");

    const started = await mock.control.POST("/__admin/accounts/{account}/agents/{agent}/interactions", {
      params: { path: { account: ACCOUNT, agent: "agent-node" } },
      body: { type: "Phone", direction: "Inbound" },
    });
    assert.equal(started.response.status, 201);
    const call = started.data!;
    const live = await client.latest(ACCOUNT, "agent-node");
    assert.equal(live?.guid, call.guid);
    assert.equal(live?.hasEnded, false);

    const channel = call.channels[0]!.channelGuid;
    const ended = await mock.control.POST("/__admin/accounts/{account}/agents/{agent}/channels/{channelGuid}/end", {
      params: { path: { account: ACCOUNT, agent: "agent-node", channelGuid: channel } },
      body: {},
    });
    assert.equal(ended.response.status, 200);
    assert.equal((await client.latest(ACCOUNT, "agent-node"))?.hasEnded, true);
    const [item] = await client.channels(ACCOUNT, "agent-node", { type: "Phone" });
    assert.equal(item?.channelGuid, channel);
    assert.equal(typeof item?.duration, "number");
  });

  it("finds in the journal what it sent, and why it was answered so", async () => {
    await assert.rejects(client.channels(ACCOUNT, "agent-7", { size: 0 }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 400);
      return true;
    });
    const journal = await mock.control.GET("/__admin/journal", { params: { query: { agent: "agent-7" } } });
    assert.equal(journal.response.status, 200);
    const [entry] = journal.data!.requests;
    assert.deepEqual(entry?.accept, ["application/json;version=2"]);
    assert.deepEqual(entry?.query, { size: ["0"] });
    assert.equal(entry?.status, 400);
    assert.equal(entry?.explanation.step, "query");
    assert.equal(entry?.authorization?.token?.known, true, "the token was known (the journal keeps only its fingerprint)");
  });

  it("retries a 503 after its Retry-After, then reads the answer", async () => {
    const fault = await mock.control.POST("/__admin/faults", {
      body: { kind: "status", status: 503, retry_after: 1, agent: "agent-7", count: 1 },
    });
    assert.equal(fault.response.status, 201);
    const item = await client.latest(ACCOUNT, "agent-7");
    assert.equal(item?.hasEnded, false);
    const journal = await mock.control.GET("/__admin/journal", { params: { query: { agent: "agent-7" } } });
    assert.deepEqual(
      journal.data!.requests.map((entry) => entry.status),
      [503, 200],
      "one refusal, then the retry answered",
    );
  });

  it("gives up after its attempts when the service stays unavailable", async () => {
    await mock.control.POST("/__admin/faults", { body: { kind: "status", status: 503, agent: "agent-7" } });
    await assert.rejects(client.latest(ACCOUNT, "agent-7"), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 503);
      return true;
    });
  });
});
