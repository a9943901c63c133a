// The response shapes the CLI reads (contract § Endpoints, seed page for events).

export interface Artifact {
  image_url: string;
  kind: string;
  role: string;
  label?: string | null;
  meta?: Record<string, unknown>;
}

export interface JobEvent {
  seq: number;
  event_type: string;
  visibility: string;
  stage?: string | null;
  message: string;
  artifacts?: Artifact[];
  extra?: Record<string, unknown>;
  created_at: string;
}

export interface EventsPage {
  public_id: string;
  events: JobEvent[];
  latest_seq: number | null;
}

export interface JobDetail {
  public_id: string;
  kind: string;
  status: string;
  stage: string | null;
  product_id: string | null;
  options: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  latest_seq: number | null;
  final_artifacts: Artifact[];
}

export interface JobList {
  jobs: JobDetail[];
  next_cursor: string | null;
}

export const TERMINAL_EVENTS = new Set(["succeeded", "failed"]);
