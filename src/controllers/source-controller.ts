import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { cameraUnavailable, describeSourceError, type SourceProblem } from '../camera/camera-errors.ts';
import { openCamera, openImageFile, openVideoFile, type FrameSource, type SourceKind } from '../camera/frame-source.ts';

export type SourceStatus = 'idle' | 'opening' | 'live' | 'error';

/** Owns the frame source (camera or file) for an element: opens it, reports problems in words, stops it on disconnect. */
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
    this.stop();
    this.status = 'opening';
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
      this.status = 'error';
      this.problem = (err as { problem?: SourceProblem }).problem ?? describeSourceError(err);
    }
    this.host.requestUpdate();
  }

  stop(): void {
    this.source?.stop();
    this.source = null;
    this.status = 'idle';
  }
}
