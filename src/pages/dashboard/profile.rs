use crate::pages::{part, use_auth, ErrorPanel};
use crate::store::UserState;
use crate::user::UserProfile;
use leptos::prelude::*;

/// The rest of the profile. Missing fields are left out.
#[component]
pub(super) fn ProfilePanel() -> impl IntoView {
    let store = use_auth();
    let user = store.user;
    let body = move || match user.get() {
        UserState::Loaded(profile) => view! { <ProfileFacts profile /> }.into_any(),
        UserState::Failed(error) => view! { <ErrorPanel error level=3 /> }.into_any(),
        UserState::Idle | UserState::Loading => view! {
            <p class="hint">"Loading…"</p>
        }
        .into_any(),
    };
    view! {
        <article class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            {part(body)}
        </article>
    }
}

#[component]
fn ProfileFacts(profile: UserProfile) -> impl IntoView {
    let row = |label: &'static str, testid: &'static str, value: Option<String>| {
        value.map(|value| {
            view! {
                <dt>{label}</dt>
                <dd data-testid=testid>{value}</dd>
            }
        })
    };
    // The username is worth showing only when it is not the email address.
    let username = profile
        .username
        .clone()
        .filter(|name| Some(name) != profile.email.as_ref());
    let rows = [
        row("Email", "user-email", profile.email),
        row("Username", "user-username", username),
        row("Title", "user-title", profile.title),
        row("Department", "user-department", profile.department),
    ];
    if rows.iter().all(Option::is_none) {
        return view! {
            <p class="hint" data-testid="profile-sparse">
                "The provider reports nothing more about you."
            </p>
        }
        .into_any();
    }
    view! { <dl class="facts">{rows.into_iter().flatten().collect_view()}</dl> }.into_any()
}
