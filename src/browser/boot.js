// Prepended to Trunk's wasm loader (loader-<hash>.js) by scripts/externalize-loader.sh.
// It takes the answer to index.html's <link rel="preload" href="/config.json">, which the
// browser requested with the page, while the wasm downloads and compiles, instead of after the
// app has started; the app takes it from here (src/browser/boot.rs) and fetches the file
// itself when there is none. The default cache mode is what lets this fetch use the preload
// (the server sends config.json with no-store, so no stale copy is ever cached); mode and
// credentials match the link's crossorigin="anonymous". Resolves to { status, text } (text null
// if the body could not be read), or to null when the server did not answer; never rejects.
Object.defineProperty(window, '__pkceDeskConfig', {
  configurable: true,
  value: fetch('/config.json').then(
    (response) => response.text().then(
      (text) => ({ status: response.status, text }),
      () => ({ status: response.status, text: null }),
    ),
    () => null,
  ),
});
