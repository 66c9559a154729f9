import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { cameraUnavailable, describeFileError, describeSourceError, type SourceProblem } from '../camera/camera-errors.ts';
import { openCamera, openImageFile, openVideoFile, type FrameSource, type SourceKind } from '../camera/frame-source.ts';

export type SourceStatus = 'idle' | 'opening' | 'live' | 'error';

/**
 * Owns the frame source (camera or file) for an element: opens it, reports problems in words, stops it on disconnect.
 * A new source replaces the running one only once it is open: a file that cannot be read leaves the counting as it was.
 */
export class SourceController implements ReactiveController {
  source: FrameSource | null = null;
  status: SourceStatus = 'idle';
  problem: SourceProblem | null = null;
  private attempt = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onEnded: (source: FrameSource) => void = () => {},
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  async open(kind: SourceKind, file?: File): Promise<void> {
    const attempt = ++this.attempt;
    const previous = this.source;
    // One camera stream at a time: some phones refuse a second one while the first is open.
    if (kind === 'camera' && previous?.kind === 'camera') this.stop();
    if (!this.source) this.status = 'opening';
    this.problem = null;
    this.host.requestUpdate();
    try {
      if (kind === 'camera') {
        const unavailable = cameraUnavailable({
          isSecureContext: window.isSecureContext,
          hasGetUserMedia: typeof navigator.mediaDevices?.getUserMedia === 'function',
        });
        if (unavailable) throw Object.assign(new Error(unavailable.message), { problem: unavailable });
      }
      const source =
        kind === 'camera' ? await openCamera() : kind === 'video' ? await openVideoFile(file!, file!.name) : await openImageFile(file!, file!.name);
      if (attempt !== this.attempt) {
        source.stop();
        return;
      }
      this.source?.stop();
      source.onended = () => {
        if (this.source !== source) return;
        this.source = null;
        this.status = 'error';
        this.problem = {
          code: 'in-use',
          title: 'The camera stopped',
          message: 'The camera was disconnected or taken by another app. Reconnect it and start the camera again.',
        };
        this.host.requestUpdate();
        this.onEnded(source);
      };
      this.source = source;
      this.status = 'live';
    } catch (err) {
      if (attempt !== this.attempt) return;
      this.status = this.source ? 'live' : 'error';
      this.problem =
        (err as { problem?: SourceProblem }).problem ?? (file ? describeFileError(file.name, this.source !== null) : describeSourceError(err));
    }
    this.host.requestUpdate();
  }

  stop(): void {
    this.source?.stop();
    this.source = null;
    this.status = 'idle';
  }
}
