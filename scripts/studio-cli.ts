// Studio CLI: `npm run studio -- <command>`. The reference client of the HMAC path
// (contract § Authentication 2). `--help` lists the commands.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { StudioClient } from "./cli/client";
import { clientConfig, HELP, parseCommandLine, positiveInt, type Invocation } from "./cli/config";
import { downloadArtifacts } from "./cli/download";
import { CliError, UsageError } from "./cli/errors";
import { contentTypeFor, encodeMultipart } from "./cli/form-body";
import { StageProgress } from "./cli/progress";
import { formatEvent } from "./cli/timeline";
import type { JobDetail, JobList } from "./cli/types";
import { watchEvents } from "./cli/watch";

type Flags = Invocation["flags"];

const out = (line = "") => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

function jobPath(publicId: string, suffix = "") {
  return `/v1/jobs/${encodeURIComponent(publicId)}${suffix}`;
}

function outDir(flags: Flags, publicId: string) {
  return path.resolve((flags.out as string | undefined) ?? path.join("studio-output", publicId));
}

async function saveFinals(client: StudioClient, publicId: string, flags: Flags): Promise<number> {
  const job = await client.get<JobDetail>(jobPath(publicId));
  if (job.final_artifacts.length === 0) {
    note(`no final artifacts for ${publicId} (status ${job.status})`);
    return 0;
  }
  const saved = await downloadArtifacts(client, job.final_artifacts, outDir(flags, publicId));
  for (const { file, bytes, artifact } of saved) {
    const { width, height } = artifact.meta ?? {};
    const size = width && height ? `${width}×${height}, ` : "";
    out(`saved ${path.relative(process.cwd(), file) || file} (${size}${(bytes / 1024).toFixed(0)} KB)`);
  }
  return saved.length;
}

/** Prints the timeline until the terminal event; exit code 0 succeeded, 1 failed/cancelled. */
async function watch(client: StudioClient, publicId: string, flags: Flags): Promise<number> {
  const job = await client.get<JobDetail>(jobPath(publicId));
  const progress = new StageProgress(job.kind);
  const terminal = await watchEvents(client, publicId, {
    intervalMs: positiveInt(flags.interval, "interval") ?? 1000,
    timeoutMs: (positiveInt(flags.timeout, "timeout") ?? 0) * 1000,
    onEvent: (event) => {
      progress.print(formatEvent(event));
      progress.update(event);
    },
    onRetry: (error, attempt) => progress.print(`(retrying after: ${error.message.split("\n")[0]}; attempt ${attempt})`, process.stderr),
  });
  progress.end();
  const final = await client.get<JobDetail>(jobPath(publicId));
  out(`${publicId} ${final.status}`);
  await saveFinals(client, publicId, flags);
  return terminal.event_type === "succeeded" && final.status === "succeeded" ? 0 : 1;
}

async function create(client: StudioClient, file: string, flags: Flags): Promise<number> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const options = flags.options as string | undefined;
  if (options !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(options);
    } catch (error) {
      throw new UsageError(`--options is not valid JSON: ${(error as Error).message}`);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageError("--options must be a JSON object");
  }
  const { body, contentType } = await encodeMultipart({
    kind: (flags.kind as string | undefined) ?? "catalog_image",
    image: { data, filename: path.basename(file), type: contentTypeFor(file) },
    product_id: flags.product as string | undefined,
    options,
  });
  const key = flags["idempotency-key"] as string | undefined;
  const { data: job, headers } = await client.request<JobDetail>("POST", "/v1/jobs", {
    body,
    contentType,
    headers: key ? { "Idempotency-Key": key } : {},
    timeoutMs: 120_000,
  });
  out(job.public_id);
  if (headers.get("idempotent-replayed") === "true") note(`(idempotency key ${key} was used before: this is the existing job, status ${job.status})`);
  if (flags["no-watch"]) return 0;
  return watch(client, job.public_id, flags);
}

function listLine(job: JobDetail): string {
  return [
    job.public_id,
    job.kind.padEnd(15),
    job.status.padEnd(9),
    (job.stage ?? "-").padEnd(12),
    job.created_at,
    `${job.final_artifacts.length} final`,
    job.product_id ?? "",
  ].join("  ").trimEnd();
}

async function list(client: StudioClient, flags: Flags): Promise<number> {
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await client.get<JobList>("/v1/jobs", {
      status: flags.status as string | undefined,
      kind: flags.kind as string | undefined,
      limit: positiveInt(flags.limit, "limit"),
      cursor,
    });
    for (const job of page.jobs) out(flags.json ? JSON.stringify(job) : listLine(job));
    count += page.jobs.length;
    cursor = page.next_cursor ?? undefined;
    if (cursor && !flags.all) note(`(more: add --all to follow next_cursor ${cursor})`);
  } while (cursor && flags.all);
  if (!flags.json) note(`${count} job(s)`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const invocation = parseCommandLine(argv);
  if (invocation.help) {
    out(HELP);
    return invocation.command === null && !invocation.flags.help ? 2 : 0;
  }
  const { command, args, flags } = invocation;
  const client = new StudioClient(clientConfig(flags));
  switch (command) {
    case "create":
      return create(client, args[0], flags);
    case "watch":
      return watch(client, args[0], flags);
    case "get":
      out(JSON.stringify(await client.get<JobDetail>(jobPath(args[0])), null, 2));
      return 0;
    case "list":
      return list(client, flags);
    case "cancel": {
      const { data } = await client.request<JobDetail>("POST", jobPath(args[0], "/cancel"));
      out(`${data.public_id} ${data.status}${data.status === "cancelled" ? "" : " (cancel requested: the job stops after its current stage)"}`);
      return 0;
    }
    case "download":
      await saveFinals(client, args[0], flags);
      return 0;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (error instanceof CliError) {
      note(`error: ${error.message}`);
      process.exitCode = error.exitCode;
    } else {
      note(`error: ${(error as Error)?.stack ?? String(error)}`);
      process.exitCode = 3;
    }
  },
);
