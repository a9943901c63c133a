import { describe, expect, it } from "vitest";
import { grabCutMask, TRIMAP } from "~/imaging/grabcut.server";

// A pale green backdrop with a white product whose right part is within a few units of the
// backdrop's lightness but not of its colour, plus light noise (deterministic).
const W = 120;
const H = 80;

function scene(): { rgb: Buffer; product: Uint8Array } {
  const rgb = Buffer.alloc(W * H * 3);
  const product = new Uint8Array(W * H);
  let s = 7;
  const noise = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return (s % 7) - 3;
  };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const inside = x >= 30 && x < 90 && y >= 20 && y < 60;
      product[i] = inside ? 1 : 0;
      const [r, g, b] = inside ? [236, 236, 236] : [214, 232, 218];
      rgb[3 * i] = r + noise();
      rgb[3 * i + 1] = g + noise();
      rgb[3 * i + 2] = b + noise();
    }
  return { rgb, product };
}

describe("grabCutMask", () => {
  it("gives an undecided strip to the side whose colours it has", async () => {
    const { rgb, product } = scene();
    const trimap = new Uint8Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        // the product's left half is known; its right half (x 60..89) and a band of backdrop
        // around it are left open, as a flood that leaked into a white rim would leave them
        if (x >= 30 && x < 60 && y >= 20 && y < 60) trimap[i] = TRIMAP.product;
        else if (x >= 20 && x < 100 && y >= 10 && y < 70) trimap[i] = TRIMAP.maybeBackdrop;
        else trimap[i] = TRIMAP.backdrop;
      }
    const cut = await grabCutMask(rgb, W, H, trimap, 2);
    let wrong = 0;
    for (let i = 0; i < W * H; i++) if (cut[i] !== product[i]) wrong++;
    expect(wrong).toBeLessThanOrEqual(0.01 * W * H);
    // sure labels are kept as they are
    for (let i = 0; i < W * H; i++) if (trimap[i] === TRIMAP.product) expect(cut[i]).toBe(1);
  });

  it("returns the sure labels unchanged when nothing is undecided", async () => {
    const { rgb, product } = scene();
    const trimap = Uint8Array.from(product, (p) => (p ? TRIMAP.product : TRIMAP.backdrop));
    expect(Array.from(await grabCutMask(rgb, W, H, trimap, 2))).toEqual(Array.from(product));
  });
});
