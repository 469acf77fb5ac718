//! One file per route, plus the error views they share.

mod callback;
mod dashboard;
mod errors;
mod home;
mod login;

pub use callback::CallbackPage;
pub use dashboard::DashboardPage;
pub use errors::{ConfigErrorPage, ErrorPanel, NotFoundPage};
pub use home::HomePage;
pub use login::LoginPage;

use leptos::prelude::*;

/// The frame every page sits in.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    view! {
        <div class="shell">
            <header class="topbar">
                <span class="brand">"pkce-desk"</span>
            </header>
            <main class="content" id="main">{children()}</main>
        </div>
    }
}
