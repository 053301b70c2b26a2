// Start the mock as a child process on a free port, learn where it listens from its ready file
// (no banner to parse), drive its control plane with a client typed from its OpenAPI document,
// and stop it with SIGTERM (it exits 0).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./generated/control-plane.js";

export interface Ready {
  url: string;
  base_url: string;
  admin_url: string;
  health_url: string;
  port: number;
  pid: number;
}

export interface RunningMock {
  ready: Ready;
  control: Client<paths>;
  stop(): Promise<number | null>;
}

/** The `mockserver` command: $MOCKSERVER, else the project's virtualenv, else the one on PATH. */
export function mockserverCommand(): string {
  if (process.env.MOCKSERVER) return process.env.MOCKSERVER;
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ["../../..", "../../../.."]) {
    const local = resolve(here, up, ".venv/bin/mockserver");
    if (existsSync(local)) return local;
  }
  return "mockserver";
}

export async function startMock(extraArgs: string[] = [], timeoutMs = 30_000): Promise<RunningMock> {
  const directory = mkdtempSync(join(tmpdir(), "mock-"));
  const readyFile = join(directory, "ready.json");
  const child = spawn(mockserverCommand(), ["run", "--port", "0", "--ready-file", readyFile, ...extraArgs], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await waitForReadyFile(child, readyFile, timeoutMs, () => stderr).catch((error: unknown) => {
    child.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
    throw error;
  });
  return {
    ready,
    control: createClient<paths>({ baseUrl: ready.url }),
    stop: () => stopMock(child, directory),
  };
}

async function waitForReadyFile(
  child: ChildProcess,
  path: string,
  timeoutMs: number,
  stderr: () => string,
): Promise<Ready> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the mock exited with ${child.exitCode}: ${stderr()}`);
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf-8")) as Ready;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the mock did not write ${path} within ${timeoutMs} ms: ${stderr()}`);
}

function stopMock(child: ChildProcess, directory: string): Promise<number | null> {
  return new Promise((resolve) => {
    const done = (code: number | null) => {
      rmSync(directory, { recursive: true, force: true });
      resolve(code);
    };
    if (child.exitCode !== null) return done(child.exitCode);
    child.once("exit", (code) => done(code));
    child.kill("SIGTERM");
  });
}
