export type SourceProblemCode = 'denied' | 'no-camera' | 'in-use' | 'insecure' | 'unsupported' | 'bad-file' | 'unknown';

export interface SourceProblem {
  readonly code: SourceProblemCode;
  readonly title: string;
  readonly message: string;
}

/** Turns what getUserMedia (or a file source) threw into words a person at a lamp post can act on. */
export function describeSourceError(err: unknown): SourceProblem {
  const name = err instanceof Error || isDomExceptionLike(err) ? (err as { name: string }).name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return {
        code: 'denied',
        title: 'Camera permission denied',
        message:
          'lotwatch needs the camera to count. Allow camera access for this site in the browser’s site settings, then try again — or open a video file or a photo instead.',
      };
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return {
        code: 'no-camera',
        title: 'No camera found',
        message: 'This device has no camera lotwatch can use. Connect one and try again, or open a video file or a photo instead.',
      };
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return {
        code: 'in-use',
        title: 'The camera is in use',
        message: 'Another app or tab is using the camera. Close it and try again.',
      };
    case 'EncodingError':
      return { code: 'bad-file', title: 'That file cannot be played', message: 'Choose a video (MP4, WebM) or a photo (JPEG, PNG).' };
    default:
      return {
        code: 'unknown',
        title: 'The camera could not be started',
        message: `${err instanceof Error ? err.message : String(err)}. Try again, or open a video file or a photo instead.`,
      };
  }
}

/**
 * A file that could not be opened as a video or a photo, whatever the browser threw: it is the file, not the camera,
 * and whatever was counting goes on.
 */
export function describeFileError(fileName: string, stillCounting: boolean): SourceProblem {
  return {
    code: 'bad-file',
    title: `“${fileName}” is not a photo or a video we can read`,
    message: `Choose a video (MP4, WebM) or a photo (JPEG, PNG, WebP).${stillCounting ? ' Counting goes on with the picture you had.' : ''}`,
  };
}

/** Why this browser cannot open a camera at all, before trying. */
export function cameraUnavailable(env: { isSecureContext: boolean; hasGetUserMedia: boolean }): SourceProblem | null {
  if (!env.isSecureContext) {
    return {
      code: 'insecure',
      title: 'The camera needs a secure page',
      message: 'Browsers only give the camera to pages opened over https:// or on localhost. Open lotwatch over HTTPS.',
    };
  }
  if (!env.hasGetUserMedia) {
    return {
      code: 'unsupported',
      title: 'This browser cannot open the camera',
      message: 'Use a current Chrome, Edge, Firefox or Safari — or open a video file or a photo instead.',
    };
  }
  return null;
}

function isDomExceptionLike(v: unknown): v is { name: string } {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';
}
