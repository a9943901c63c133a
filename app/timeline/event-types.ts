export const EVENT_TYPES = ["queued", "stage", "succeeded", "failed"] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export type Visibility = "public" | "internal";

export type CostExtra = { amount: number; currency: "USD"; units: number };
export type ErrorExtra = { code: string; message: string; retryable: boolean };
