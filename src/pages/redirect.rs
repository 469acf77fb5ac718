use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::NavigateOptions;

/// A redirect that replaces the current history entry, so the back button does not land on
/// the page that only redirected.
#[component]
pub fn ReplaceRedirect(#[prop(into)] path: String) -> impl IntoView {
    view! { <Redirect path options=NavigateOptions { replace: true, ..Default::default() } /> }
}
