// The README's Angular example: the signed-in shell component starts autologoff once the app
// has rendered in the browser (never during server-side rendering). Short times for the test.
// `wasmUrl`: angular.json's assets glob copies autologoff_bg.wasm to the root of the app, and a
// relative URL is resolved against <base href>, so this works under `ng build` and `ng serve`.
import { Component, DestroyRef, afterNextRender, inject } from '@angular/core';
import { start, type Session } from 'autologoff';

@Component({
  selector: 'app-root',
  template: '<h1>Signed-in area (Angular)</h1>',
})
export class App {
  private session?: Session;

  constructor() {
    afterNextRender(async () => {
      this.session = await start({
        timeout: '4s',
        warning: '2s',
        logoutUrl: '/autologoff/logout',
        redirectUrl: '/login?reason=timeout',
        wasmUrl: 'autologoff_bg.wasm',
      });
    });
    inject(DestroyRef).onDestroy(() => this.session?.stop());
  }
}
