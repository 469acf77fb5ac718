use super::{use_auth, ReplaceRedirect};
use leptos::prelude::*;

/// `/`: the dashboard when signed in, else the login page.
#[component]
pub fn HomePage() -> impl IntoView {
    let store = use_auth();
    move || {
        let target = if store.is_signed_in() {
            "/dashboard"
        } else {
            "/login"
        };
        view! { <ReplaceRedirect path=target /> }
    }
}
