import { analysisSize } from './frame.ts';

export type SourceKind = 'camera' | 'video' | 'image';

/** Something that shows a picture of the lot and can hand the detector a frame of it. */
export interface FrameSource {
  readonly kind: SourceKind;
  /** For the UI: the camera's label or the file's name. */
  readonly label: string;
  /** The element that displays the source; the stage puts it on screen. */
  readonly element: HTMLVideoElement | HTMLImageElement;
  /** Intrinsic size of the picture, in pixels. */
  readonly width: number;
  readonly height: number;
  /** A frame scaled to the analysis size (at most 1280 px on the long side), ready to transfer to the worker. */
  grab(): Promise<ImageBitmap>;
  /** Called once when the source stops by itself (camera unplugged, taken by another app). */
  onended: (() => void) | null;
  stop(): void;
}

class ElementSource implements FrameSource {
  onended: (() => void) | null = null;
  constructor(
    readonly kind: SourceKind,
    readonly label: string,
    readonly element: HTMLVideoElement | HTMLImageElement,
    private readonly release: () => void,
  ) {}

  get width(): number {
    return this.element instanceof HTMLVideoElement ? this.element.videoWidth : this.element.naturalWidth;
  }

  get height(): number {
    return this.element instanceof HTMLVideoElement ? this.element.videoHeight : this.element.naturalHeight;
  }

  grab(): Promise<ImageBitmap> {
    const size = analysisSize(this.width, this.height);
    return createImageBitmap(this.element, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'medium' });
  }

  stop(): void {
    this.onended = null;
    this.release();
  }
}

function videoElement(): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.autoplay = true;
  video.setAttribute('playsinline', '');
  return video;
}

async function playing(video: HTMLVideoElement): Promise<void> {
  if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
    await new Promise<void>((resolve, reject) => {
      video.addEventListener('loadeddata', () => resolve(), { once: true });
      video.addEventListener('error', () => reject(video.error ?? new DOMException('The video cannot be played', 'EncodingError')), {
        once: true,
      });
    });
  }
  await video.play();
}

/** The rear camera by default (a phone aimed at the lot), at up to 1280x720. */
export async function openCamera(deviceId?: string): Promise<FrameSource> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : { facingMode: { ideal: 'environment' } }),
      width: { ideal: 1280 },
      height: { ideal: 720 },
    },
  });
  const video = videoElement();
  video.srcObject = stream;
  const [track] = stream.getVideoTracks();
  const source = new ElementSource('camera', track?.label || 'Camera', video, () => {
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  });
  track?.addEventListener('ended', () => source.onended?.(), { once: true });
  try {
    await playing(video);
  } catch (err) {
    source.stop();
    throw err;
  }
  return source;
}

/** A recorded video of a lot, looped: for demos and for a device without a camera. */
export async function openVideoFile(file: Blob, name: string): Promise<FrameSource> {
  const url = URL.createObjectURL(file);
  const video = videoElement();
  video.loop = true;
  video.src = url;
  const source = new ElementSource('video', name, video, () => {
    video.pause();
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  });
  try {
    await playing(video);
  } catch (err) {
    source.stop();
    throw err instanceof DOMException || err instanceof Error ? err : new DOMException(String(err), 'EncodingError');
  }
  return source;
}

/** A still photo of a lot: the same pipeline runs on it, frame after frame. */
export async function openImageFile(file: Blob, name: string): Promise<FrameSource> {
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.decoding = 'async';
  img.src = url;
  try {
    await img.decode();
  } catch {
    URL.revokeObjectURL(url);
    throw new DOMException(`${name} is not an image this browser can read`, 'EncodingError');
  }
  return new ElementSource('image', name, img, () => URL.revokeObjectURL(url));
}
