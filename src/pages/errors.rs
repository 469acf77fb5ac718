use super::Shell;
use crate::config::ConfigError;
use crate::error::AuthError;
use crate::store::AuthStore;
use leptos::prelude::*;
use leptos_router::components::A;

/// What went wrong, why, and what to do. Provider text is rendered as text, never as HTML.
#[component]
pub fn ErrorPanel(error: AuthError) -> impl IntoView {
    let shown = error.presentation();
    let store = use_context::<AuthStore>();
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
        <div class="error-panel" role="alert" data-testid="auth-error" data-error-code=error.code()>
            <h1 data-testid="error-title">{shown.title}</h1>
            <p data-testid="error-detail">{shown.what_happened}</p>
            <h2>{audience}</h2>
            <p data-testid="error-remedy">{shown.what_to_do}</p>
            <p class="error-code">"Error code: " <code>{error.code()}</code></p>
            {fresh_sign_in}
        </div>
    }
}

/// config.json is missing or wrong: nothing else can work, so say exactly what to fix.
#[component]
pub fn ConfigErrorPage(error: ConfigError) -> impl IntoView {
    view! {
        <Shell>
            <section class="card" role="alert" data-testid="config-error">
                <h1>"This app is not configured correctly"</h1>
                <p>"The configuration file could not be used:"</p>
                <p class="config-problem"><code data-testid="config-error-location">{error.location}</code> " " {error.problem}</p>
                <h2>"For your administrator"</h2>
                <p>"Fix config.json next to index.html (see the README's config.json reference), then reload this page."</p>
            </section>
        </Shell>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Shell>
            <section class="card" data-testid="not-found">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <A href="/" attr:class="button primary">"Go to the start page"</A>
            </section>
        </Shell>
    }
}
