import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Whether the page is hidden (app in the background, screen off), kept current for an element. */
export class PageVisibilityController implements ReactiveController {
  hidden = document.hidden;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onChange);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onChange);
  }

  private onChange = (): void => {
    this.hidden = document.hidden;
    this.host.requestUpdate();
  };
}
