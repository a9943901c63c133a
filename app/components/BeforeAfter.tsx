// Before/after: the source photo and the result in one frame, split by a draggable divider
// (a native range input over the images, so keyboard and screen readers work too).
import { useState, type CSSProperties } from "react";

/** `aspectRatio` is the result's width / height (the frame takes its shape; the source fits inside). */
export function BeforeAfter({ before, after, background, aspectRatio = 1 }: { before: string; after: string; background?: string; aspectRatio?: number }) {
  const [position, setPosition] = useState(50);
  const style = {
    "--studio-compare-pos": `${position}%`,
    "--studio-compare-bg": background ?? "#ffffff",
    aspectRatio: String(aspectRatio),
    maxWidth: `${Math.round(520 * aspectRatio)}px`,
  } as CSSProperties;
  return (
    <div className="studio-compare" style={style}>
      <img className="studio-compare__image studio-compare__before" src={before} alt="Before: the source photo" />
      <img className="studio-compare__image studio-compare__after" src={after} alt="After: the finished image" />
      <span className="studio-compare__divider" aria-hidden="true" />
      <span className="studio-compare__tag studio-compare__tag--before" aria-hidden="true">
        Before
      </span>
      <span className="studio-compare__tag studio-compare__tag--after" aria-hidden="true">
        After
      </span>
      <input
        className="studio-compare__range"
        type="range"
        min={0}
        max={100}
        value={position}
        aria-label="Compare before and after"
        onChange={(event) => setPosition(Number(event.currentTarget.value))}
      />
    </div>
  );
}
