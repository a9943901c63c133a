import { describe, expect, it } from "vitest";
import { grabCutMask, TRIMAP } from "~/imaging/grabcut.server";

// A pale green backdrop with a white product whose right part is within a few units of the
// backdrop's lightness but not of its colour, plus light noise (deterministic). `k` scales
// the scene: at k = 5 the undecided box (400 x 300) is past the size cut at full scale.
function scene(k: number) {
  const W = 120 * k;
  const H = 80 * k;
  const rgb = Buffer.alloc(W * H * 3);
  const product = new Uint8Array(W * H);
  const trimap = new Uint8Array(W * H);
  let s = 7;
  const noise = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return (s % 7) - 3;
  };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const [u, v] = [x / k, y / k];
      const inside = u >= 30 && u < 90 && v >= 20 && v < 60;
      product[i] = inside ? 1 : 0;
      const [r, g, b] = inside ? [236, 236, 236] : [214, 232, 218];
      rgb[3 * i] = r + noise();
      rgb[3 * i + 1] = g + noise();
      rgb[3 * i + 2] = b + noise();
      // the product's left half is known; its right half and a band of backdrop around it
      // are left open, as a flood that leaked into a white rim would leave them
      if (u >= 30 && u < 60 && v >= 20 && v < 60) trimap[i] = TRIMAP.product;
      else if (u >= 20 && u < 100 && v >= 10 && v < 70) trimap[i] = TRIMAP.maybeBackdrop;
      else trimap[i] = TRIMAP.backdrop;
    }
  return { W, H, rgb, product, trimap };
}

describe("grabCutMask", () => {
  it.each([
    ["at full scale", 1],
    ["on a box big enough to be cut at a coarser scale", 5],
  ])("gives an undecided strip to the side whose colours it has, %s", async (_, k) => {
    const { W, H, rgb, product, trimap } = scene(k);
    const cut = await grabCutMask(rgb, W, H, trimap, 2);
    let wrong = 0;
    for (let i = 0; i < W * H; i++) if (cut[i] !== product[i]) wrong++;
    expect(wrong).toBeLessThanOrEqual(0.01 * W * H);
    // sure labels are kept as they are
    for (let i = 0; i < W * H; i++) if (trimap[i] === TRIMAP.product) expect(cut[i]).toBe(1);
    for (let i = 0; i < W * H; i++) if (trimap[i] === TRIMAP.backdrop) expect(cut[i]).toBe(0);
  });

  it("returns the sure labels unchanged when nothing is undecided", async () => {
    const { W, H, rgb, product } = scene(1);
    const trimap = Uint8Array.from(product, (p) => (p ? TRIMAP.product : TRIMAP.backdrop));
    expect(Array.from(await grabCutMask(rgb, W, H, trimap, 2))).toEqual(Array.from(product));
  });
});
