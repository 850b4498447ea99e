/**
 * An image the gateway refuses or cannot use, with a reason written for the client ("the image could
 * not be decoded"). Only these reasons reach a client's 400; anything else an image library throws is
 * logged and answered with a general reason, so libvips' internals ("vips2png: unable to write to
 * target target") never leak.
 */
export class ImageError extends Error {
  override readonly name: string = 'ImageError';
}
