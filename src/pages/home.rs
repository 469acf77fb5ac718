use crate::store::AuthStore;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::NavigateOptions;

/// `/`: the dashboard when signed in, else the login page.
#[component]
pub fn HomePage() -> impl IntoView {
    let store = expect_context::<AuthStore>();
    move || {
        let target = if store.is_signed_in() {
            "/dashboard"
        } else {
            "/login"
        };
        view! { <Redirect path=target options=NavigateOptions { replace: true, ..Default::default() } /> }
    }
}
