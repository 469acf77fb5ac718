mod copy;

pub use copy::{error_copy, Console, ErrorCopy};

use super::Shell;
use crate::config::ConfigError;
use crate::error::AuthError;
use crate::store::AuthStore;
use leptos::prelude::*;
use leptos_router::components::A;

/// What went wrong, why, and what to do. Provider text is rendered as text, never as HTML.
///
/// On a page of its own the panel's title is the page's `<h1>`; inside a panel, pass the
/// `level` that fits the outline there (a panel under an `<h3>` takes `level=4`), and a
/// `testid` of its own when the page can show more than one panel. Admin hints name the
/// console of the provider the error is about (the store knows which), else a generic one.
#[component]
pub fn ErrorPanel(
    error: AuthError,
    /// The heading level of the title (1-5); the "What to do" heading is one below.
    #[prop(default = 1)]
    level: u8,
    #[prop(default = "auth-error")] testid: &'static str,
) -> impl IntoView {
    let store = use_context::<AuthStore>();
    let console = store
        .as_ref()
        .and_then(AuthStore::failing_provider)
        .map(|provider| Console::of(&provider.kind))
        .unwrap_or_default();
    let shown = error_copy(&error, console);
    let fresh_sign_in = shown.offer_sign_in.then(|| {
        view! {
            <A
                href="/login"
                attr:class="button primary"
                attr:data-testid="fresh-sign-in"
                on:click=move |_| {
                    if let Some(store) = &store {
                        store.reset_failure();
                    }
                }
            >
                "Start a fresh sign-in"
            </A>
        }
    });
    let audience = if shown.configuration_problem {
        "For your administrator"
    } else {
        "What to do"
    };
    view! {
        <div class="error-panel" role="alert" data-testid=testid data-error-code=error.code()>
            {heading(level, "error-title", shown.title)}
            <p data-testid="error-detail">{shown.what_happened}</p>
            {heading(level.saturating_add(1), "", audience.to_owned())}
            <p data-testid="error-remedy">{shown.what_to_do}</p>
            <p class="error-code">"Error code: " <code>{error.code()}</code></p>
            {fresh_sign_in}
        </div>
    }
}

/// `<h1>`...`<h6>` with an optional test id.
fn heading(level: u8, testid: &'static str, text: String) -> AnyView {
    let testid = (!testid.is_empty()).then_some(testid);
    match level {
        0 | 1 => view! { <h1 data-testid=testid>{text}</h1> }.into_any(),
        2 => view! { <h2 data-testid=testid>{text}</h2> }.into_any(),
        3 => view! { <h3 data-testid=testid>{text}</h3> }.into_any(),
        4 => view! { <h4 data-testid=testid>{text}</h4> }.into_any(),
        5 => view! { <h5 data-testid=testid>{text}</h5> }.into_any(),
        _ => view! { <h6 data-testid=testid>{text}</h6> }.into_any(),
    }
}

/// config.json is missing or wrong: nothing else can work, so say exactly what to fix.
#[component]
pub fn ConfigErrorPage(error: ConfigError) -> impl IntoView {
    view! {
        <Shell title="Configuration problem">
            <section class="card" role="alert" data-testid="config-error">
                <h1>"This app is not configured correctly"</h1>
                <p>"The configuration file could not be used:"</p>
                <p class="config-problem">
                    <code data-testid="config-error-location">{error.location}</code>
                    " "
                    {error.problem}
                </p>
                <h2>"For your administrator"</h2>
                <p>
                    "Fix config.json next to index.html (see the README's config.json \
                    reference), then reload this page."
                </p>
            </section>
        </Shell>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Shell title="Page not found">
            <section class="card" data-testid="not-found">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <A href="/" attr:class="button primary">"Go to the start page"</A>
            </section>
        </Shell>
    }
}
