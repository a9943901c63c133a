// A server killed mid-job (SIGKILL, no cleanup) finishes the job after a restart, and the
// timeline stays well-formed: one queued, one terminal, seqs increasing, no stage redone.
import { afterAll, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, waitFor } from "../support/api-client";
import { multipart, productPhoto } from "../support/images";

let server: TestServer | undefined;
afterAll(async () => server?.stop());

it("resumes a job after the server is killed mid-job", async () => {
  server = await startServer({ env: { JOB_LEASE_SECONDS: "2" } });
  const s = server;
  const photo = await productPhoto({ width: 3200, height: 2400 });
  const job = await (
    await bearerFetch(s.url, "/v1/jobs", { method: "POST", body: multipart({ kind: "catalog_image", image: { data: photo, filename: "big.jpg", type: "image/jpeg" } }) })
  ).json();
  const events = async () => (await (await bearerFetch(s.url, `/v1/jobs/${job.public_id}/events`)).json()).events as any[];
  // Kill once the job is inside the pipeline (fetch_source finished, later stages not yet).
  await waitFor(async () => (await events()).some((e) => e.stage === "fetch_source" && e.artifacts.length > 0), 60_000, 10);
  await s.kill();
  await s.restart();
  const done = await waitFor(async () => {
    const detail = await (await bearerFetch(s.url, `/v1/jobs/${job.public_id}`)).json();
    return ["succeeded", "failed", "cancelled"].includes(detail.status) ? detail : null;
  }, 90_000, 200);
  expect(done.status).toBe("succeeded");
  const timeline = await events();
  expect(timeline.filter((e) => e.event_type === "queued")).toHaveLength(1);
  expect(timeline.filter((e) => e.event_type === "succeeded" || e.event_type === "failed")).toHaveLength(1);
  expect(timeline[timeline.length - 1].event_type).toBe("succeeded");
  for (let i = 1; i < timeline.length; i++) expect(timeline[i].seq).toBeGreaterThan(timeline[i - 1].seq);
  // Each stage's done line (the one with artifacts) appears once.
  for (const stage of ["fetch_source", "segment", "compose", "export"]) {
    expect(timeline.filter((e) => e.stage === stage && e.artifacts.length > 0), stage).toHaveLength(1);
  }
  expect(done.final_artifacts.length).toBe(2);
});
