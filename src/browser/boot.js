// Prepended to Trunk's wasm loader (loader-<hash>.js) by scripts/externalize-loader.sh.
// It asks for /config.json at once, while the wasm downloads and compiles, instead of after
// the app has started; the app takes the answer from here (src/browser/boot.rs) and fetches
// the file itself when there is none. The same request as the app's own: GET, no cache,
// same-origin credentials. Resolves to { status, text } (text null if the body could not be
// read), or to null when the server did not answer; never rejects.
Object.defineProperty(window, '__pkceDeskConfig', {
  configurable: true,
  value: fetch('/config.json', { cache: 'no-store' }).then(
    (response) => response.text().then(
      (text) => ({ status: response.status, text }),
      () => ({ status: response.status, text: null }),
    ),
    () => null,
  ),
});
