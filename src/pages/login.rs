use super::{part, use_auth, ErrorPanel, ReplaceRedirect, Shell};
use crate::config::TokenStorage;
use crate::return_to::safe_return_path;
use crate::store::AuthState;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/login`: one button per configured provider; a signed-in user goes straight on.
#[component]
pub fn LoginPage() -> impl IntoView {
    let store = use_auth();
    let query = use_query_map();
    let return_to = Signal::derive(move || query.with(|q| q.get("return_to")));
    let signed_in = Memo::new(move |_| store.is_signed_in());
    move || {
        if signed_in.get() {
            let target = safe_return_path(return_to.get_untracked().as_deref());
            view! { <ReplaceRedirect path=target /> }.into_any()
        } else {
            view! { <LoginForm return_to /> }.into_any()
        }
    }
}

#[component]
fn LoginForm(return_to: Signal<Option<String>>) -> impl IntoView {
    let store = use_auth();
    let state = store.state;
    let redirecting = Memo::new(move |_| state.with(|s| matches!(s, AuthState::Redirecting)));
    let notice = move || match state.get() {
        AuthState::SignedOut { notice: Some(text) } => {
            Some(view! { <p class="notice" role="status" data-testid="login-notice">{text}</p> })
        }
        _ => None,
    };
    let failure = move || match state.get() {
        AuthState::Failed(error) => Some(view! { <ErrorPanel error /> }),
        _ => None,
    };
    let buttons = store
        .config()
        .providers
        .iter()
        .map(|provider| {
            let store = store.clone();
            let id = provider.id.clone();
            let region = format!(
                "{} · {}",
                provider.kind.display_name(),
                provider.kind.region()
            );
            view! {
                <li>
                    <button
                        type="button"
                        class="provider-button"
                        data-testid=format!("sign-in-{}", provider.id)
                        disabled=move || redirecting.get()
                        on:click=move |_| store.sign_in(&id, return_to.get_untracked())
                    >
                        <span class="provider-label">
                            {format!("Sign in with {}", provider.label)}
                        </span>
                        <span class="provider-region">{region}</span>
                    </button>
                </li>
            }
        })
        .collect_view();
    let memory_hint = (store.token_storage() == TokenStorage::Memory).then(|| {
        view! {
            <p class="hint" data-testid="memory-storage-hint">
                "Your session is kept in memory only: reloading or closing this page signs you out."
            </p>
        }
    });

    view! {
        <Shell title="Sign in">
            <section class="card login-card" aria-labelledby="login-title">
                <h1 id="login-title">"Sign in"</h1>
                <p class="lead">"Use your contact-center account to open the agent desktop."</p>
                {part(notice)}
                {part(failure)}
                <ul class="providers">{buttons}</ul>
                <Show when=move || redirecting.get()>
                    <p class="hint" role="status">"Opening the sign-in page…"</p>
                </Show>
                {memory_hint}
            </section>
        </Shell>
    }
}
