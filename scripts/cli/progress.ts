// Progress by stage. On a TTY: one bar redrawn in place on stderr (cleared before each
// printed line). Otherwise: one plain stderr line whenever the stage changes.
import { stagesOf } from "./timeline";
import type { JobEvent } from "./types";

const WIDTH = 24;

export class StageProgress {
  private readonly stages: string[];
  private readonly tty: boolean;
  private drawn = false;
  private lastText = "";

  constructor(
    kind: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.stages = stagesOf(kind);
    this.tty = Boolean(stream.isTTY);
  }

  /** Position for an event: stage i of n is "in progress" (i + 0.5) until the terminal event. */
  position(event: JobEvent): { done: number; label: string } | null {
    const n = this.stages.length;
    if (event.event_type === "succeeded") return { done: n, label: "succeeded" };
    if (event.event_type === "failed") {
      const cancelled = (event.extra?.error as { code?: string } | undefined)?.code === "cancelled";
      const at = event.stage ? this.stages.indexOf(event.stage) : -1;
      return { done: Math.max(0, at), label: cancelled ? "cancelled" : "failed" };
    }
    if (event.event_type === "queued") return { done: 0, label: "queued" };
    const index = event.stage ? this.stages.indexOf(event.stage) : -1;
    if (index < 0) return null; // a stage this client does not know: keep the last position
    return { done: index + 0.5, label: `${index + 1}/${n} ${event.stage}` };
  }

  update(event: JobEvent) {
    const pos = this.position(event);
    if (!pos) return;
    const n = this.stages.length;
    const filled = Math.round((pos.done / n) * WIDTH);
    const text = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${pos.label}`;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.drawn = true;
    } else if (text !== this.lastText) {
      this.stream.write(`progress ${text}\n`);
    }
    this.lastText = text;
  }

  /** Prints a line to `out` without tearing the bar. */
  print(line: string, out: NodeJS.WriteStream = process.stdout) {
    if (this.tty && this.drawn) this.stream.write("\r\x1b[2K");
    out.write(`${line}\n`);
    if (this.tty && this.drawn) this.stream.write(this.lastText);
  }

  /** Leaves the bar as the last line. */
  end() {
    if (this.tty && this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}
