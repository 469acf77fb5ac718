//! One file per route, plus the frame and the error views they share.

mod callback;
mod dashboard;
mod errors;
mod home;
mod hooks;
mod login;
mod redirect;

pub use callback::CallbackPage;
pub use dashboard::DashboardPage;
pub use errors::{error_copy, ConfigErrorPage, Console, ErrorCopy, ErrorPanel, NotFoundPage};
pub use home::HomePage;
pub use hooks::use_auth;
pub use login::LoginPage;
pub use redirect::ReplaceRedirect;

use leptos::html;
use leptos::prelude::*;

/// A reactive part of a view, type-erased. Each closure placed in a view as it is gets its own
/// copy of tachys' render code for its own view type; boxed, all of them share one (issue 13:
/// the live status views alone brought 16 such copies, 27.6 KB; bench/README.md). The DOM is
/// the same.
pub(crate) type Part = Box<dyn FnMut() -> AnyView + Send>;

pub(crate) fn part<V: IntoAny>(mut render: impl FnMut() -> V + Send + 'static) -> Part {
    Box::new(move || render().into_any())
}

/// The frame every page sits in: a "Skip to content" link, the banner, and the main landmark.
/// `title` names the page in the browser's title bar (and for screen readers); `topbar` adds
/// to the banner (the dashboard puts the agent and the sign-out button there).
#[component]
pub fn Shell(
    #[prop(optional)] title: Option<&'static str>,
    #[prop(optional)] topbar: Option<AnyView>,
    children: Children,
) -> impl IntoView {
    document().set_title(&match title {
        Some(title) => format!("{title} · pkce-desk"),
        None => "pkce-desk".to_owned(),
    });
    let main = NodeRef::<html::Main>::new();
    // `rel="external"` keeps the router from treating the link as a navigation; focus moves
    // to the content itself, so the next Tab continues from there.
    let skip_to_content = move |event: leptos::ev::MouseEvent| {
        event.prevent_default();
        if let Some(main) = main.get() {
            let _ = main.focus();
            main.scroll_into_view();
        }
    };
    view! {
        <a class="skip-link" href="#main" rel="external" on:click=skip_to_content>
            "Skip to content"
        </a>
        <div class="shell">
            <header class="topbar">
                <span class="brand">"pkce-desk"</span>
                {topbar}
            </header>
            <main class="content" id="main" tabindex="-1" node_ref=main>
                {children()}
            </main>
        </div>
    }
}
