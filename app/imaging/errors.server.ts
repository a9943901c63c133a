/** The photo contains no separable product (e.g. an empty studio background). */
export class NoSubjectError extends Error {
  constructor(message = "No product found: the photo looks like an empty background") {
    super(message);
    this.name = "NoSubjectError";
  }
}

/** The upload is not an image we can process (unknown or unsupported format, corrupt data). */
export class UnsupportedImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedImageError";
  }
}

/** A caller passed an invalid argument (bad option value, mismatched buffer sizes). */
export class ImagingArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImagingArgumentError";
  }
}
