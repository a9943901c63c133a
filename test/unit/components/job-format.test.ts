import { describe, expect, it } from "vitest";
import { cancelSummary, formatAge, formatCost, kindLabel, productAdminUrl, stageLabel, statusLook } from "~/components/job-format";

describe("job wording", () => {
  it("names kinds, stages and statuses in sentence case", () => {
    expect(kindLabel("catalog_image")).toBe("Catalog image");
    expect(kindLabel("on_model_render")).toBe("On-model render");
    expect(kindLabel("future_kind")).toBe("Future kind");
    expect(stageLabel("segment")).toBe("Cut out product");
    expect(stageLabel("color_match")).toBe("Color match");
    expect(statusLook("failed")).toMatchObject({ label: "Failed", tone: "critical" });
    expect(statusLook("succeeded")).toMatchObject({ label: "Succeeded", tone: "success" });
  });

  it("formats costs, sub-cent amounts included", () => {
    expect(formatCost({ amount: 0.02, currency: "USD" })).toBe("$0.02");
    expect(formatCost({ amount: 0.002, currency: "USD" })).toBe("$0.002");
    expect(formatCost({ amount: 0, currency: "USD" })).toBe("$0.00");
    expect(formatCost(null)).toBe("—");
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    expect(formatAge("2026-11-28T11:59:50Z", now)).toBe("Just now");
    expect(formatAge("2026-11-28T11:55:00Z", now)).toBe("5 minutes ago");
    expect(formatAge("2026-11-28T09:00:00Z", now)).toBe("3 hours ago");
    expect(formatAge("2026-11-27T11:00:00Z", now)).toBe("Yesterday");
  });

  it("links products into the Shopify admin", () => {
    expect(productAdminUrl("gid://shopify/Product/42")).toBe("shopify://admin/products/42");
    expect(productAdminUrl(null)).toBeNull();
    expect(productAdminUrl("gid://shopify/Collection/1")).toBeNull();
  });

  it("sums up a bulk cancel in one line", () => {
    expect(cancelSummary({ cancelled: 2, requested: 1, finished: 0, not_found: 0 })).toBe("3 jobs cancelled");
    expect(cancelSummary({ cancelled: 1, requested: 0, finished: 2, not_found: 0 })).toBe("1 job cancelled, 2 already finished");
    expect(cancelSummary({ cancelled: 0, requested: 0, finished: 0, not_found: 1 })).toBe("1 not found");
  });
});
